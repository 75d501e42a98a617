// Backups and pruning as action plans, so the read-only guard, confirmation, step display and the
// audit trail treat them like every other action. A backup plan's steps are the job's stages;
// whichever way the run ends short of "published" (a failed step, a cancel between steps), the
// job is discarded and nothing is left under a final name.
import type { Plan, Step, StepContext } from '../plan/plan.js';
import type { Catalog } from './catalog.js';
import { fileBackupJob, type FileBackupOptions } from './file-backup.js';
import type { BackupJob, BackupRecord } from './job.js';
import { pgBackupJob, type PgBackupOptions } from './pg-backup.js';
import { isAlive } from './pid.js';
import { deleteBackup, deletePartial, deleteSafetyDump, type PruneReport } from './prune.js';
import { BackupError, sourceKey, type BackupProgress } from './types.js';
import { verifyBackup, type VerifyOptions, type VerifyReport } from './verify.js';
import { bytes } from '../present/format.js';

/** A backup plan plus access to its job and, once published, its record. */
export interface BackupPlan {
  plan: Plan;
  job: BackupJob;
  /** The published backup, once the publish step has run. */
  record(): BackupRecord | undefined;
}

export interface BackupPlanOptions {
  /** Leave out the free-space step (tests that fill a disk on purpose). */
  skipPreflight?: boolean;
}

/** Routes a job's progress both to the caller and to the running step's ctx.progress. */
function routeProgress<T extends { onProgress?: (p: BackupProgress) => void }>(
  opts: T,
): { opts: T; attach(ctx: StepContext | undefined): void } {
  let ctx: StepContext | undefined;
  return {
    opts: {
      ...opts,
      onProgress: (p: BackupProgress) => {
        opts.onProgress?.(p);
        ctx?.progress({ done: p.bytesWritten, unit: 'bytes', label: `${bytes(p.bytesIn)} read, ${bytes(p.rate)}/s` });
      },
    },
    attach: (c) => (ctx = c),
  };
}

/** The plan of one PostgreSQL backup (pg_dump → gzip or -Fc). */
export function pgBackupPlan(opts: PgBackupOptions, planOpts: BackupPlanOptions = {}): BackupPlan {
  const r = routeProgress(opts);
  return backupPlan(pgBackupJob(r.opts), 'backup.postgres', r.attach, planOpts);
}

/** The plan of one file-set backup (tar.gz). */
export function fileBackupPlan(opts: FileBackupOptions, planOpts: BackupPlanOptions = {}): BackupPlan {
  const r = routeProgress(opts);
  return backupPlan(fileBackupJob(r.opts), 'backup.files', r.attach, planOpts);
}

function backupPlan(
  job: BackupJob,
  action: string,
  attach: (ctx: StepContext | undefined) => void,
  planOpts: BackupPlanOptions,
): BackupPlan {
  let record: BackupRecord | undefined;
  const guarded =
    (fn: (ctx: StepContext) => Promise<string | void>) =>
    async (ctx: StepContext): Promise<string | void> => {
      attach(ctx);
      try {
        return await fn(ctx);
      } catch (err) {
        await job.discard();
        throw err;
      } finally {
        attach(undefined);
      }
    };
  const verifyText =
    job.format === 'plain'
      ? 'gzip stream decompresses (CRC), dump ends with "-- PostgreSQL database dump complete", ' +
        'sha256 read back from disk'
      : job.format === 'custom'
        ? 'pg_restore --list reads the archive, sha256 of the file'
        : 'tar.gz read back from disk: every entry as written, sha256';
  const steps: Step[] = [
    {
      id: 'dump',
      title: job.format === 'tar' ? 'archive the files' : 'dump the database',
      describe: () => ({ kind: job.format === 'tar' ? 'fs' : 'argv', text: job.describeDump() }),
      run: guarded((ctx) => job.dump(ctx.signal)),
      cancellable: true,
    },
    {
      id: 'verify',
      title: 'verify the backup',
      describe: () => ({ kind: 'check', text: verifyText }),
      run: guarded((ctx) => job.verify(ctx.signal)),
      cancellable: true,
    },
    {
      id: 'publish',
      title: 'publish under the final name',
      describe: () => ({
        kind: 'fs',
        text: `link the temp file to its final name in ${job.dir}, write the .json sidecar, fsync`,
      }),
      run: guarded(async () => {
        record = await job.publish();
        return record.path;
      }),
    },
  ];
  if (!planOpts.skipPreflight) {
    steps.unshift({
      id: 'preflight',
      title: 'check free space',
      describe: () => ({ kind: 'check', text: `statfs ${job.dir}: free space ≥ expected backup size` }),
      run: guarded((ctx) => job.preflight(ctx.signal)),
      cancellable: true,
    });
  }
  const plan: Plan = {
    action,
    target: sourceKey(job.source),
    danger: 'safe',
    changesState: true,
    steps,
    // Runs after every outcome: a cancel between two steps must not leave the temp file behind.
    async epilogue(outcome) {
      if (record) return [`Backup: ${record.path} (${bytes(record.meta.size)}, verified)`];
      await job.discard();
      return outcome.result === 'refused' ? [] : ['No backup was published; the temp file was removed.'];
    },
  };
  return { plan, job, record: () => record };
}

/** The plan that deletes what `report` says (backups past retention, old safety dumps, abandoned temp files). */
export function prunePlan(catalog: Catalog, report: PruneReport): Plan {
  const steps: Step[] = [];
  for (const d of report.decisions) {
    if (d.action !== 'delete') continue;
    const e = d.entry;
    steps.push({
      id: `delete:${e.sourceKey}/${e.file}`, // file names repeat across sources
      title: `delete ${e.sourceKey} ${e.file}`,
      describe: () => ({ kind: 'fs', text: `rm ${e.path}.json ${e.path} — ${d.reason}` }),
      run: async () => deleteBackup(catalog.root, e),
      cancellable: true,
    });
  }
  for (const d of report.safety) {
    if (d.action !== 'delete' || !report.safetyRoot) continue;
    const e = d.entry;
    const root = report.safetyRoot;
    steps.push({
      id: `delete-safety:${e.sourceKey}/${e.file}`,
      title: `delete safety dump ${e.sourceKey} ${e.file}`,
      describe: () => ({ kind: 'fs', text: `rm ${e.path}.json ${e.path} — ${d.reason}` }),
      run: async () => deleteSafetyDump(root, e),
      cancellable: true,
    });
  }
  for (const p of report.stalePartials) {
    steps.push({
      id: `delete:${p.path}`,
      title: `delete abandoned temp file ${p.path}`,
      describe: () => ({
        kind: 'fs',
        text: `rm ${p.path} — temp file of an interrupted backup (writer pid ${p.pid ?? '?'} gone)`,
      }),
      run: async () => deletePartial(catalog.root, p, isAlive),
      cancellable: true,
    });
  }
  return { action: 'backup.prune', target: catalog.root, danger: 'confirm', changesState: true, steps };
}

/** A re-verify plan plus the report of its run. */
export interface VerifyPlan {
  plan: Plan;
  /** The verification report, once the step has run (undefined when the file could not be read at all). */
  report(): VerifyReport | undefined;
}

/**
 * Re-verifying a backup as an audited action (`backup.verify`, result succeeded/failed in the
 * audit trail). It writes only the sidecar's lastVerify — no data an application uses — so it is
 * a read-only plan (changesState: false) and runs in read-only mode too (see README.md).
 */
export function verifyPlan(file: string, opts: Omit<VerifyOptions, 'signal'> = {}): VerifyPlan {
  let report: VerifyReport | undefined;
  const recordText = opts.record === false ? '' : `; the result is written to ${file}.json (lastVerify)`;
  const plan: Plan = {
    action: 'backup.verify',
    target: file,
    danger: 'safe',
    changesState: false,
    steps: [
      {
        id: 'verify',
        title: 're-verify the backup',
        describe: () => ({
          kind: 'check',
          text:
            'size and sha256 against the sidecar, full decompression, dump completion marker / pg_restore read, ' +
            `tar entries${recordText}`,
        }),
        cancellable: true,
        run: async (ctx) => {
          report = await verifyBackup(file, { ...opts, signal: ctx.signal });
          for (const c of report.checks) ctx.output(`${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`);
          if (!report.ok) throw new BackupError('verify_failed', `not verified: ${report.message}`);
          return report.recorded ? report.message : `${report.message} (not recorded: no sidecar)`;
        },
      },
    ],
  };
  return { plan, report: () => report };
}
