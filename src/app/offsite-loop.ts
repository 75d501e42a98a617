// The console's off-host copier (issue 14, point 6): with backups.offsite set, every
// `backups.offsite.interval` (and once at start) it copies what is pending and retries what is
// due (src/backup/offsite.ts), one round at a time, in the background. A round never touches a
// local backup; stopping the console aborts the rclone child of a round under way (the copy is
// then "failed: interrupted" and is retried by the next opsdeck). rclone and the copier load on
// the first round, after the first frame.
import type { OpsdeckConfig } from '../config/resolve.js';
import type { OffsiteRecord } from '../backup/offsite-state.js';

export interface OffsiteLoop {
  /** Runs a round now (joins one under way). */
  runNow(): Promise<void>;
  /** Stops the timer and aborts a round under way; resolves when it has ended. */
  stop(): Promise<void>;
}

export interface OffsiteLoopOptions {
  /** Environment for rclone (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Called on every state change of a copy (the Backups view re-reads). */
  onUpdate?: (r: OffsiteRecord) => void;
  onError?: (err: unknown) => void;
  /** First round after this many ms (default 5 s: after the first frame). */
  firstDelayMs?: number;
}

/**
 * Starts the copier loop for `config`, or returns null when backups.offsite is not set or the
 * console is read-only (a read-only opsdeck changes nothing, the remote included; the catalog
 * still shows every copy's state).
 */
export function startOffsiteLoop(config: OpsdeckConfig, opts: OffsiteLoopOptions = {}): OffsiteLoop | null {
  const cfg = config.backups.offsite;
  if (!cfg || config.readOnly) return null;
  const ac = new AbortController();
  let round: Promise<void> | null = null;
  const once = async (): Promise<void> => {
    const { pushOffsite } = await import('../backup/offsite.js');
    if (ac.signal.aborted) return;
    await pushOffsite({
      root: config.backups.dir,
      cfg,
      signal: ac.signal,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.onUpdate ? { onUpdate: opts.onUpdate } : {}),
    });
  };
  const runNow = (): Promise<void> => {
    round ??= once()
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => (round = null));
    return round;
  };
  const first = setTimeout(() => void runNow(), opts.firstDelayMs ?? 5_000);
  const timer = setInterval(() => void runNow(), Math.max(1_000, cfg.interval));
  first.unref();
  timer.unref();
  return {
    runNow,
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      ac.abort();
      await round;
    },
  };
}
