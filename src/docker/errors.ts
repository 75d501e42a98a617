// What an engine failure means, in words an operator can act on: the engine's own error statuses
// (DockerApiError) and Node's network errors, mapped once for actions, services and log tails.
export type DockerErrorKind = 'already_running' | 'already_stopped' | 'not_found' | 'unreachable' | 'failed';

export interface DockerFailure {
  kind: DockerErrorKind;
  /** One line for the operator. */
  message: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Words an engine failure for `verb` on container `name` ("stop", "inspect", "follow the logs of"). */
export function describeDockerError(err: unknown, name: string, verb: string): DockerFailure {
  const e = err as { statusCode?: number; code?: string; json?: { message?: string } | null; message?: string };
  const engineSays = e.json?.message ?? e.message ?? String(err);
  if (e.statusCode === 304) {
    return verb === 'stop'
      ? { kind: 'already_stopped', message: `container ${name} is already stopped` }
      : { kind: 'already_running', message: `container ${name} is already running` };
  }
  if (e.statusCode === 404) return { kind: 'not_found', message: `no container named ${name} on this engine` };
  if (e.statusCode === 409) return { kind: 'failed', message: `cannot ${verb} container ${name}: ${engineSays}` };
  if (e.code === 'EACCES')
    return {
      kind: 'unreachable',
      message: 'permission denied on the Docker socket (is this user in the docker group?)',
    };
  if (e.code && UNREACHABLE.has(e.code))
    return { kind: 'unreachable', message: `the Docker engine is unreachable (${e.code})` };
  if (e.code === 'ERR_UNESCAPED_CHARACTERS')
    return { kind: 'not_found', message: `no container named ${name} (not a valid container name)` };
  return { kind: 'failed', message: `cannot ${verb} container ${name}: ${engineSays}` };
}
