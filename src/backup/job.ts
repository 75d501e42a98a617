// A backup as four stages — preflight, dump, verify, publish — so the action layer can show each
// as a plan step, and a plain runner for callers that just want the backup (tests, bench, cron).
// Whatever stage fails or is cancelled, discard() leaves nothing behind: no final name, no sidecar,
// no temp file.
import { ioError } from './atomic.js';
import type { Sidecar } from './sidecar.js';
import { BackupError, type BackupFormat, type BackupKind, type BackupSource, type ProgressFn } from './types.js';

/** A published, verified backup. */
export interface BackupRecord {
  path: string;
  meta: Sidecar;
}

export interface BackupJob {
  readonly source: BackupSource;
  readonly kind: BackupKind;
  readonly format: BackupFormat;
  /** Directory the backup goes to. */
  readonly dir: string;
  /** The command the dump stage runs, for plan descriptions (never contains a secret). */
  describeDump(): string;
  /** Checks free space against the expected size; resolves to a one-line note. */
  preflight(signal: AbortSignal): Promise<string>;
  /** Writes the backup to its temp file and flushes it. */
  dump(signal: AbortSignal): Promise<string>;
  /** Proves the temp file is whole. */
  verify(signal: AbortSignal): Promise<string>;
  /** Gives the file its final name and writes the sidecar. */
  publish(): Promise<BackupRecord>;
  /** Removes the temp file and releases connections unless published; idempotent, never throws. */
  discard(): Promise<void>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Skip the free-space check (tests that want to hit a full disk for real). */
  skipPreflight?: boolean;
}

/** Runs every stage of `job`; on any failure discards and rethrows a BackupError. */
export async function runBackupJob(job: BackupJob, opts: RunOptions = {}): Promise<BackupRecord> {
  const signal = opts.signal ?? new AbortController().signal;
  try {
    if (!opts.skipPreflight) await job.preflight(signal);
    await job.dump(signal);
    await job.verify(signal);
    if (signal.aborted) throw new BackupError('cancelled', 'cancelled');
    return await job.publish();
  } catch (err) {
    await job.discard();
    throw asBackupError(err, signal);
  }
}

/** Any failure as a BackupError; an abort is always "cancelled", whatever broke first. */
export function asBackupError(err: unknown, signal?: AbortSignal, what = 'backup'): BackupError {
  if (signal?.aborted)
    return err instanceof BackupError && err.failure === 'cancelled'
      ? err
      : new BackupError('cancelled', 'cancelled by the operator; nothing was published');
  return ioError(what, err);
}

/** Common shape of the options every job takes. */
export interface JobOptions {
  /** Backup root (config.backups.dir). */
  root: string;
  onProgress?: ProgressFn;
  /** Clock for the file name (tests). */
  now?: () => Date;
}
