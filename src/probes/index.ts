// The probes' public face: what readings look like and the boundary every read goes through.
// Which probes a configuration gets is decided by the composition root (src/app/probes.ts).
export { DockerProbe } from './docker.js';
export { createHostProbe } from './host.js';
export { PostgresProbe } from './postgres.js';
export { RedisProbe } from './redis.js';
export { createHttpProbe } from './http.js';
export { createCertificatesProbe } from './certificates.js';
export type { HttpReading, HttpEndpointState } from './http.js';
export type { CertificatesReading, CertificateState } from './certificates.js';
export type { Probe, ProbeResult, MetricSample } from './types.js';

export { runBounded, classifyError, sanitizeMessage } from './boundary.js';
export type { HostReading, CpuUsage, DiskUsage, NetInterface, ProcessInfo } from './host.js';
export type { DockerReading, DockerContainer, ContainerHealth } from './docker.js';
export type { PgReading, PgQuery, PgWaitingLock, PgReplica, PgBlockNode } from './postgres.js';
export type { RedisReading, RedisInfo } from './redis.js';
export { parseRedisInfo } from './redis.js';
