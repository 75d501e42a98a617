// The restore walkthrough's driver: preflight (nothing changes; any failed check stops here), then
// the restore layer's nine-step run with the console answering its questions — a yes before
// anything changes, the database name typed before the drop, the rollback offer after a failure.
// Everything the panel shows is the layer's plain-data snapshot; nothing here throws.
import { errorText } from '../../plan/errors.js';
import { safetyRootFor } from '../../backup/naming.js';
import { executeRestore } from '../../restore/execute.js';
import { prepareRestore, recordPreflightRefusal } from '../../restore/plan.js';
import type { Check } from '../../restore/types.js';
import type { RestoreTask } from '../backups/backups-store.js';
import type { TaskHost } from '../backups/task-host.js';

const refuse = (host: TaskHost<RestoreTask>, check: Check): void => host.update((t) => ({ ...t, stage: 'refused', checks: [...t.checks, check] }));

/** Runs the walkthrough for the task's backup and database to the end; never rejects. */
export async function restoreJob(host: TaskHost<RestoreTask>, file: string, database: string): Promise<void> {
  const { deps } = host;
  if (!deps.conn) return refuse(host, { id: 'server', title: 'PostgreSQL server', status: 'fail', detail: 'no PostgreSQL target is configured (targets.postgres) to restore into' });
  let services;
  try {
    services = await deps.services();
  } catch (err) {
    return refuse(host, { id: 'services', title: 'application services', status: 'fail', detail: `cannot prepare the service layer: ${errorText(err)}` });
  }
  let prepared;
  try {
    prepared = await prepareRestore({
      backup: file,
      database,
      conn: deps.conn,
      services,
      safetyRoot: safetyRootFor(deps.dir),
      catalogRoot: deps.dir,
      verifyQueries: deps.verifyQueries,
      signal: host.signal,
      ...(deps.env ? { tools: { env: deps.env } } : {}),
    });
  } catch (err) {
    return refuse(host, { id: 'backup', title: 'preflight', status: 'fail', detail: `the preflight could not run: ${errorText(err)}` });
  }
  const { report, restore } = prepared;
  host.update((t) => ({ ...t, checks: report.checks }));
  if (!restore) {
    await recordPreflightRefusal(deps.audit, report, database);
    host.update((t) => ({ ...t, stage: 'refused' }));
    return;
  }
  host.update((t) => ({ ...t, stage: 'walk' }));
  const snap = await executeRestore(restore, {
    guard: deps.guard,
    audit: deps.audit,
    confirmAt: 'drop',
    confirm: () => host.ask(),
    // The typed text belongs to one question: a new question starts with an empty line.
    onUpdate: (s) => host.update((t) => ({ ...t, snap: s, typed: s.pending?.kind === 'type' && t.snap?.pending?.stage === s.pending.stage ? t.typed : '' })),
    signal: host.signal,
  });
  host.update((t) => ({ ...t, snap, typed: '' }));
  await host.refresh();
}

