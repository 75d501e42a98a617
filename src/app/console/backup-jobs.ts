// The Backups view's re-verify and drill as tasks of the one flow, against the real layers (the
// restore walkthrough is restore-job.ts; backup and prune are plans). Each writes plain data into
// its detail through the host and never throws: a failure becomes lines in the panel.
import { executePlan } from '../../plan/execute.js';
import { errorText } from '../../plan/errors.js';
import { verifyPlan } from '../../backup/plans.js';
import { drillLogPath } from '../../backup/drill-log.js';
import { runDrill } from '../../restore/drill.js';
import type { CatalogEntry } from '../../backup/catalog.js';
import { existingVerifyPlan } from '../../backup/existing-verify.js';
import { existingOf, type BackupsDeps } from '../backups-deps.js';
import type { FlowHost } from './flow-task.js';

/** Re-verifies `file` as the audited `backup.verify` plan (allowed in read-only mode). */
export async function verifyJob(
  host: FlowHost<'verify'>,
  file: string,
  existing?: { entry: CatalogEntry; factsFile: string },
): Promise<void> {
  // Another tool's backup: no sidecar to compare with or write to; the result goes to opsdeck's facts store.
  const vp = existing ? existingVerifyPlan(existing.entry, existing.factsFile) : verifyPlan(file);
  const out = await executePlan(vp.plan, {
    guard: host.guard,
    audit: host.audit,
    signal: host.signal,
    onUpdate: (run) => host.update((d) => ({ ...d, run })),
  });
  host.update((d) => ({ ...d, run: out, report: vp.report() ?? null }));
}

/** Drills `file`: restore into a scratch database, verify, record, drop (refused by the guard in read-only mode). */
export async function drillJob(
  host: FlowHost<'drill'>,
  deps: Pick<BackupsDeps, 'conn' | 'dir' | 'verifyQueries' | 'env' | 'existing' | 'factsFile'>,
  file: string,
): Promise<string | void> {
  const { conn, dir, verifyQueries, env } = deps;
  const existing = existingOf(deps);
  if (!conn) return 'no PostgreSQL target is configured (targets.postgres) to drill on';
  try {
    const snap = await runDrill({
      backup: file,
      conn,
      guard: host.guard,
      audit: host.audit,
      logPath: drillLogPath(dir),
      verifyQueries,
      ...(existing ? { existing } : {}),
      signal: host.signal,
      onUpdate: (s) => host.update((d) => ({ ...d, snap: s })),
      ...(env ? { tools: { env } } : {}),
    });
    host.update((d) => ({ ...d, snap }));
  } catch (err) {
    return errorText(err);
  }
}
