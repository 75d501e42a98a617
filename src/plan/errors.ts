// Typed action failures: the kind lets the console offer the right recovery (start instead of
// stop, check the engine, …); the message is one line in words for the operator.

export type ActionErrorKind =
  | 'already_running'
  | 'already_stopped'
  | 'not_found'
  | 'unreachable'
  | 'timeout'
  | 'cancelled'
  | 'refused'
  | 'command_failed'
  | 'not_supported'
  | 'failed';

/** A failure of one action step, with a kind for the UI and a printable one-line message. */
export class ActionError extends Error {
  override name = 'ActionError';
  constructor(
    public readonly kind: ActionErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The one-line message of anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

/** The kind of anything thrown ('failed' when it is not an ActionError). */
export function errorKind(err: unknown): ActionErrorKind {
  return err instanceof ActionError ? err.kind : 'failed';
}
