// The background verifier of backups another tool writes (`backups.existing`): every catalog
// interval (the backup probe's), it lists those directories, forgets what it knew about files that
// are gone or changed, and verifies each file it has no fact about yet — newest first, one at a
// time, every tool at the lowest priority (`ionice -c 3 nice -n 19`, see
// src/backup/existing-verify.ts) — recording the result in `<stateDir>/existing-backups.json`.
// Once verified a backup counts for `backup.ageHours`; a corrupt one is flagged and counted by
// `backup.corruptCount`. Nothing is written into the other tool's directories.
import type { OpsdeckConfig } from '../config/resolve.js';
import { errorText } from '../plan/errors.js';
import { backupProbeInterval } from '../backup/age-probe.js';
import { applyFacts, factFor, factsPath } from '../backup/existing-facts.js';
import { scanExisting, type ExistingDir } from '../backup/existing.js';
import { verifyExistingEntry, type ExistingCheckOptions } from '../backup/existing-verify.js';

export interface ExistingVerifierOptions {
  dirs: readonly ExistingDir[];
  /** factsPath(config.stateDir). */
  factsFile: string;
  /** The catalog interval (backupProbeInterval). */
  intervalMs: number;
  /** After a pass that verified something (e.g. read the backup probe again, refresh the Backups view). */
  onVerified?: (files: string[]) => void;
  /** A pass failed as a whole (an unreadable directory is a catalog problem, not this). */
  onError?: (message: string) => void;
  /** For tests and the benchmark: see every child. Default lowest priority. */
  check?: Omit<ExistingCheckOptions, 'signal'>;
}

export interface ExistingVerifier {
  /** One pass now (joined if one runs); resolves to the files verified. */
  runOnce(): Promise<string[]>;
  /** Stops the loop, cancelling a verification under way. */
  stop(): Promise<void>;
}

/** Starts the loop: a first pass at once, then one every interval after the last ended. */
export function startExistingVerifier(opts: ExistingVerifierOptions): ExistingVerifier {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | null = null;

  const pass = async (): Promise<string[]> => {
    const { entries } = await scanExisting(opts.dirs);
    await applyFacts(opts.factsFile, entries, true, []);
    const todo = entries.filter((e) => e.lastVerify === undefined).sort((a, b) => b.time - a.time);
    const done: string[] = [];
    for (const e of todo) {
      if (abort.signal.aborted) break;
      // Another console (or `opsdeck verify`) may have verified it since the scan: do not read it twice.
      const id = e.existing?.identity;
      if (id && (await factFor(opts.factsFile, e.path, id).catch(() => undefined))?.verify) continue;
      try {
        await verifyExistingEntry(e, opts.factsFile, { lowPriority: true, ...opts.check, signal: abort.signal });
        done.push(e.path);
      } catch (err) {
        // Gone meanwhile (the other tool's retention) or cancelled: the next pass sees the directory as it is then.
        if (abort.signal.aborted) break;
        opts.onError?.(`${e.path}: ${errorText(err)}`);
      }
    }
    if (done.length > 0) opts.onVerified?.(done);
    return done;
  };

  const runOnce = (): Promise<string[]> => {
    running ??= pass()
      .catch((err: unknown) => {
        opts.onError?.(errorText(err));
        return [];
      })
      .finally(() => (running = null));
    return running;
  };

  const loop = (): void => {
    if (abort.signal.aborted) return;
    void runOnce().then(() => {
      if (abort.signal.aborted) return;
      timer = setTimeout(loop, opts.intervalMs);
      timer.unref();
    });
  };
  loop();

  return {
    runOnce,
    stop: async () => {
      abort.abort();
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** The console's verifier for `config`: its existing directories, its state directory, the backup probe's interval. */
export function startExistingVerifierFor(config: OpsdeckConfig, onVerified: () => void): ExistingVerifier {
  return startExistingVerifier({
    dirs: config.backups.existing,
    factsFile: factsPath(config.stateDir),
    intervalMs: backupProbeInterval(config),
    onVerified,
  });
}
