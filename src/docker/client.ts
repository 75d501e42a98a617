// One way to get an engine client from the resolved configuration: probes, actions, log tails and
// the CLI all build theirs here.
import type { DockerConnection } from '../config/resolve.js';
import { DockerEngine, type EngineOptions } from './engine.js';

/** An engine client for the configured endpoint (unix socket, or host and port). */
export function dockerClient(
  conn: Pick<DockerConnection, 'socketPath' | 'host' | 'port' | 'protocol'>,
  opts: EngineOptions = {},
): DockerEngine {
  if (conn.socketPath) return new DockerEngine({ socketPath: conn.socketPath }, opts);
  return new DockerEngine({ host: conn.host, port: conn.port, protocol: conn.protocol ?? 'http' }, opts);
}
