// The Backups view's own tasks against the real layers: re-verify and drill (the restore
// walkthrough is in src/ui/restore; backup and prune are plans for the shared plan dialog).
// Each writes plain data into its task through the host and never throws: a failure becomes
// lines in the panel (errors are data here, never thrown into render).
import { errorText } from '../../plan/errors.js';
import { executePlan } from '../../plan/execute.js';
import { verifyPlan } from '../../backup/plans.js';
import { drillLogPath } from '../../backup/drill-log.js';
import { runDrill } from '../../restore/drill.js';
import type { DrillTask, VerifyTask } from './backups-store.js';
import type { TaskHost } from './task-host.js';

/** Re-verifies `file` as the audited `backup.verify` plan (allowed in read-only mode). */
export async function verifyJob(host: TaskHost<VerifyTask>, file: string): Promise<void> {
  const { guard, audit } = host.deps;
  const vp = verifyPlan(file);
  const out = await executePlan(vp.plan, { guard, audit, signal: host.signal, onUpdate: (run) => host.update((t) => ({ ...t, run })) });
  host.update((t) => ({ ...t, run: out, report: vp.report() ?? null, done: true }));
  await host.refresh();
}

/** Drills `file`: restore into a scratch database, verify, record, drop (refused by the layer in read-only mode). */
export async function drillJob(host: TaskHost<DrillTask>, file: string): Promise<void> {
  const { guard, audit, conn, dir, verifyQueries, env } = host.deps;
  if (!conn) {
    host.update((t) => ({ ...t, error: 'no PostgreSQL target is configured (targets.postgres) to drill on' }));
    return;
  }
  try {
    const snap = await runDrill({
      backup: file,
      conn,
      guard,
      audit,
      logPath: drillLogPath(dir),
      verifyQueries,
      signal: host.signal,
      onUpdate: (s) => host.update((t) => ({ ...t, snap: s })),
      ...(env ? { tools: { env } } : {}),
    });
    host.update((t) => ({ ...t, snap }));
  } catch (err) {
    host.update((t) => ({ ...t, error: errorText(err) }));
  }
  await host.refresh();
}
