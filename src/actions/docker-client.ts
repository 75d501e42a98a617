// One way to get an engine client from the resolved config, and one mapping of engine errors
// to typed, worded ActionErrors shared by container actions, container services and log tails.
import type { DockerConnection } from '../config/resolve.js';
import { DockerEngine, type ContainerHandle } from '../docker/index.js';
import { ActionError } from './errors.js';

/** An engine client for the configured endpoint. */
export function dockerClient(conn: Pick<DockerConnection, 'socketPath' | 'host' | 'port' | 'protocol'>): DockerEngine {
  if (conn.socketPath) return new DockerEngine({ socketPath: conn.socketPath });
  return new DockerEngine({ host: conn.host, port: conn.port, protocol: conn.protocol ?? 'http' });
}

/** A handle for a container by name or id; the client percent-encodes it so odd characters reach the engine as data. */
export function containerRef(docker: DockerEngine, name: string): ContainerHandle {
  return docker.container(name);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** Maps an engine failure for `verb` on container `name` to an ActionError in words. */
export function dockerError(err: unknown, name: string, verb: string): ActionError {
  if (err instanceof ActionError) return err;
  const e = err as { statusCode?: number; code?: string; json?: { message?: string } | null; message?: string };
  const engineSays = e.json?.message ?? e.message ?? String(err);
  if (e.statusCode === 304) {
    return verb === 'stop'
      ? new ActionError('already_stopped', `container ${name} is already stopped`)
      : new ActionError('already_running', `container ${name} is already running`);
  }
  if (e.statusCode === 404) return new ActionError('not_found', `no container named ${name} on this engine`);
  if (e.statusCode === 409) return new ActionError('failed', `cannot ${verb} container ${name}: ${engineSays}`);
  if (e.code === 'EACCES') return new ActionError('unreachable', 'permission denied on the Docker socket (is this user in the docker group?)');
  if (e.code && UNREACHABLE.has(e.code)) return new ActionError('unreachable', `the Docker engine is unreachable (${e.code})`);
  if (e.code === 'ERR_UNESCAPED_CHARACTERS') return new ActionError('not_found', `no container named ${name} (not a valid container name)`);
  return new ActionError('failed', `cannot ${verb} container ${name}: ${engineSays}`);
}
