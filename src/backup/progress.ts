// Progress of a running backup: a meter that turns byte counts into at most a few reports a
// second (a dump produces thousands of chunks per second), and the one-line text a TTY shows.
import type { BackupPhase, BackupProgress, ProgressFn } from './types.js';
import { bytes } from '../present/format.js';

/** Counts bytes and calls `fn` at most every `everyMs` (and always on a phase change or flush). */
export class ProgressMeter {
  // Set by the first enter(): a job may be prepared long before it runs (several in a row, a confirmation).
  private started: number | undefined;
  private last = 0;
  private phase: BackupPhase = 'preflight';
  private bytesIn = 0;
  private bytesWritten = 0;

  constructor(
    private readonly fn: ProgressFn | undefined,
    private readonly everyMs = 250,
  ) {}

  /** Moves to a new phase and reports at once. */
  enter(phase: BackupPhase): void {
    this.started ??= performance.now();
    this.phase = phase;
    this.flush();
  }

  /** Records the latest totals; reports when the interval has passed. */
  update(bytesIn: number, bytesWritten: number): void {
    this.bytesIn = bytesIn;
    this.bytesWritten = bytesWritten;
    const t = performance.now();
    if (t - this.last >= this.everyMs) {
      this.last = t;
      this.flush();
    }
  }

  /** Reports the current totals now. */
  flush(): void {
    if (!this.fn) return;
    const elapsedMs = this.elapsedMs();
    this.fn({
      phase: this.phase,
      bytesIn: this.bytesIn,
      bytesWritten: this.bytesWritten,
      elapsedMs,
      rate: elapsedMs > 0 ? (this.bytesIn * 1000) / elapsedMs : 0,
    });
  }

  /** Milliseconds since the first enter(). */
  elapsedMs(): number {
    return this.started === undefined ? 0 : performance.now() - this.started;
  }
}

/** "dump  1.2 GB read, 310 MB written, 95 MB/s, 12s" — one line for a TTY status line. */
export function formatProgress(label: string, p: BackupProgress): string {
  const secs = Math.floor(p.elapsedMs / 1000);
  const time = secs >= 60 ? `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s` : `${secs}s`;
  if (p.phase === 'preflight') return `${label}: checking free space… ${time}`;
  const rate = p.rate > 0 ? `, ${bytes(p.rate)}/s` : '';
  return `${label}: ${p.phase} ${bytes(p.bytesIn)} read, ${bytes(p.bytesWritten)} written${rate}, ${time}`;
}
