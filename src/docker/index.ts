// The Docker Engine API client shared by probes, actions, logs and the sandbox (no ink, no react):
// the client, its construction from the config, its errors in words, and the log-stream framing.
export {
  ContainerHandle,
  DockerApiError,
  DockerEngine,
  ENGINE_API_VERSION,
  type EngineEndpoint,
  type EngineOptions,
} from './engine.js';
export { dockerClient } from './client.js';
export { describeDockerError, type DockerErrorKind, type DockerFailure } from './errors.js';
export { DockerFrameParser, demuxDockerStream, type DockerStream } from './frames.js';
export type * from './types.js';
