// The restore walkthrough as a task of the one flow: preflight (nothing changes; any failed check
// stops here), then the restore layer's nine-step run with the flow asking its questions — a yes
// before anything changes, the database name typed before the drop, the rollback offer after a
// failure. Everything the panel shows is the layer's plain-data snapshot; nothing here throws.
import { errorText } from '../../plan/errors.js';
import { safetyRootFor } from '../../backup/naming.js';
import { executeRestore } from '../../restore/execute.js';
import { prepareRestore, recordPreflightRefusal } from '../../restore/plan.js';
import type { Check } from '../../restore/types.js';
import { existingOf, type BackupsDeps } from '../backups-deps.js';
import type { FlowHost } from './flow-task.js';

const refuse = (host: FlowHost<'restore'>, check: Check): void =>
  host.update((d) => ({ ...d, stage: 'refused', checks: [...d.checks, check] }));

/** Runs the walkthrough for `file` into `database` to the end; never rejects. */
export async function restoreJob(
  host: FlowHost<'restore'>,
  deps: BackupsDeps,
  file: string,
  database: string,
): Promise<void> {
  if (!deps.conn)
    return refuse(host, {
      id: 'server',
      title: 'PostgreSQL server',
      status: 'fail',
      detail: 'no PostgreSQL target is configured (targets.postgres) to restore into',
    });
  let services;
  try {
    services = await deps.services();
  } catch (err) {
    return refuse(host, {
      id: 'services',
      title: 'application services',
      status: 'fail',
      detail: `cannot prepare the service layer: ${errorText(err)}`,
    });
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
      ...(existingOf(deps) ? { existing: existingOf(deps)! } : {}),
      signal: host.signal,
      ...(deps.env ? { tools: { env: deps.env } } : {}),
    });
  } catch (err) {
    return refuse(host, {
      id: 'backup',
      title: 'preflight',
      status: 'fail',
      detail: `the preflight could not run: ${errorText(err)}`,
    });
  }
  const { report, restore } = prepared;
  host.update((d) => ({ ...d, checks: report.checks }));
  if (!restore) {
    await recordPreflightRefusal(host.audit, report, database);
    host.update((d) => ({ ...d, stage: 'refused' }));
    return;
  }
  host.update((d) => ({ ...d, stage: 'walk' }));
  // Past the preflight a restore is never put away: the operator sees where the database stands.
  host.dispatch({ type: 'background', background: 'stay' });
  const snap = await executeRestore(restore, {
    guard: host.guard,
    audit: host.audit,
    confirmAt: 'drop',
    confirm: (q) => host.ask(q),
    onUpdate: (s) => host.update((d) => ({ ...d, snap: s })),
    signal: host.signal,
  });
  host.update((d) => ({ ...d, snap }));
}
