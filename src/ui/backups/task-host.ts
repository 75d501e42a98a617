// What a running task (verify, backup, prune, drill, restore) gets from the controller: the
// dependencies, its cancel signal, a way to update its own panel state, and a way to wait for the
// operator's answer to the question on screen.
import type { Task } from './backups-store.js';
import type { BackupsDeps } from '../../app/backups-deps.js';

export interface TaskHost<T extends Task> {
  deps: BackupsDeps;
  /** Aborted when the operator cancels (x, Ctrl-C) or the console closes. */
  signal: AbortSignal;
  /** Applies `fn` to this task's state, while it is still the open task. */
  update(fn: (t: T) => T): void;
  /** Waits for the answer to the question on screen: the typed text or "yes"; null for no, Esc or a closed console. */
  ask(): Promise<string | null>;
  /** Closes the panel (the operator said no before anything ran). */
  close(): void;
  /** Reads the catalog again (after a task changed it). */
  refresh(): Promise<void>;
}
