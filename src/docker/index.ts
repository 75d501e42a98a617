// The Docker Engine API client shared by probes, actions, logs and the sandbox (no ink, no react).
export { ContainerHandle, DockerApiError, DockerEngine, type EngineEndpoint, type EngineOptions } from './engine.js';
export type * from './types.js';
