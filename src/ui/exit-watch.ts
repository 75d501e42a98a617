// Every way the console can end besides `q`: a signal (SIGTERM from systemd, SIGHUP from an SSH
// drop, SIGINT from kill), an error nobody caught, or the terminal going away under us.
import os from 'node:os';

export type ExitReason =
  { kind: 'quit' } | { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'crash'; error: unknown };

export interface ExitWatch {
  /** Settles with the first reason to stop. */
  reason: Promise<ExitReason>;
  /** Removes the handlers (after the terminal is restored). */
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

/** The conventional exit code for a reason: 0 quit, 128+n for signal n, 1 for a crash. */
export function exitCodeFor(reason: ExitReason): number {
  if (reason.kind === 'quit') return 0;
  if (reason.kind === 'signal') return 128 + (os.constants.signals[reason.signal] ?? 1);
  return 1;
}

/** Listens for signals, uncaught errors and a dead terminal; a second signal calls `onForce`. */
export function watchExit(out: NodeJS.WriteStream, onForce: (reason: ExitReason) => void): ExitWatch {
  let settle!: (r: ExitReason) => void;
  let settled = false;
  const reason = new Promise<ExitReason>((resolve) => {
    settle = resolve;
  });
  const finish = (r: ExitReason) => {
    if (settled) {
      // Already shutting down and asked again: the operator wants out now.
      if (r.kind === 'signal') onForce(r);
      return;
    }
    settled = true;
    settle(r);
  };
  const onSignal = (signal: NodeJS.Signals) => finish({ kind: 'signal', signal });
  const onError = (error: unknown) => finish({ kind: 'crash', error });
  const onStreamError = (error: NodeJS.ErrnoException) => {
    // EIO / EPIPE: the terminal has gone away, which is a hang-up, not a bug.
    if (error.code === 'EIO' || error.code === 'EPIPE') finish({ kind: 'signal', signal: 'SIGHUP' });
    else finish({ kind: 'crash', error });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  out.on('error', onStreamError);
  return {
    reason,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      out.off('error', onStreamError);
    },
  };
}
