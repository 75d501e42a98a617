// Engine failures as the action layer's typed errors, so the console can offer the right recovery.
import { describeDockerError } from '../docker/errors.js';
import { ActionError } from '../plan/errors.js';

/** Maps an engine failure for `verb` on container `name` to an ActionError in words. */
export function dockerError(err: unknown, name: string, verb: string): ActionError {
  if (err instanceof ActionError) return err;
  const d = describeDockerError(err, name, verb);
  return new ActionError(d.kind, d.message);
}
