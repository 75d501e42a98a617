// The restore as a plan of the manual's nine steps (SPEC §4), built only after a passing
// preflight, plus the two recovery plans the engine may need: the undo (before the drop: open the
// database again, start the services) and the rollback (after the drop: the safety dump back).
import path from 'node:path';
import type { AuditSink } from '../plan/audit.js';
import type { Plan, Step } from '../plan/plan.js';
import type { PgTarget } from '../backup/pg-tools.js';
import type { AppServices } from './app-services.js';
import { groupLine } from './db-facts.js';
import { preflightRestore, type PreflightOptions, type PreflightReport } from './preflight.js';
import {
  grantStep,
  healthStep,
  loadStep,
  newTracker,
  recreateStep,
  safetyDumpStep,
  servicesStep,
  terminateStep,
  verifyStep,
  type StepEnv,
} from './steps.js';
import { applicableQueries, type VerifyQuery } from './verify-data.js';
import { bytes } from '../present/format.js';

// Where safety dumps go: `<backups.dir>/before-restore/` — never scanned as part of the catalog;
// prune keeps them by their own rule (see src/backup/README.md, "Safety dumps").
export { SAFETY_DIR, safetyRootFor } from '../backup/naming.js';

export interface RestoreOptions {
  backup: string;
  /** The database to replace (it may also not exist yet: then it is created). */
  database: string;
  /** The server, as a superuser (`database` is ignored). */
  conn: PgTarget;
  services?: AppServices;
  /** Where the safety dump goes (see safetyRootFor). */
  safetyRoot: string;
  /** The backup root, for the safety dump's size estimate. */
  catalogRoot?: string;
  verifyQueries?: readonly VerifyQuery[];
  /** Another tool's directories and opsdeck's facts about them (see PreflightOptions.existing). */
  existing?: PreflightOptions['existing'];
  owner?: string;
  healthCheck?: (signal: AbortSignal) => Promise<string[]>;
  safetyFormat?: 'plain' | 'custom';
  tools?: StepEnv['tools'];
  signal?: AbortSignal;
}

/** A restore ready to execute: the plan, what preflight found, and the shared step state. */
export interface RestorePlan {
  plan: Plan;
  report: PreflightReport;
  env: StepEnv;
  /** Ids of the steps before the drop (they change nothing that cannot be put back). */
  beforeDrop: string[];
  backup: string;
  queries: VerifyQuery[];
}

/** Runs the preflight and, when every check passes, builds the plan; nothing is changed either way. */
export async function prepareRestore(
  opts: RestoreOptions,
): Promise<{ report: PreflightReport; restore?: RestorePlan }> {
  const report = await preflightRestore({
    backup: opts.backup,
    conn: opts.conn,
    database: opts.database,
    mode: 'restore',
    safetyRoot: opts.safetyRoot,
    ...(opts.catalogRoot ? { catalogRoot: opts.catalogRoot } : {}),
    ...(opts.owner ? { owner: opts.owner } : {}),
    ...(opts.services ? { services: opts.services } : {}),
    ...(opts.verifyQueries ? { verifyQueries: opts.verifyQueries } : {}),
    ...(opts.existing ? { existing: opts.existing } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!report.ok || !report.server || !report.owner) return { report };
  const env: StepEnv = {
    conn: opts.conn,
    database: opts.database,
    owner: report.owner,
    server: report.server,
    ...(report.target ? { facts: report.target } : {}),
    ...(opts.services ? { services: opts.services } : {}),
    tracker: newTracker(),
    safetyRoot: opts.safetyRoot,
    safetyFormat: opts.safetyFormat ?? (report.backup.format === 'custom' ? 'custom' : 'plain'),
    tools: opts.tools ?? {},
    ...(opts.healthCheck ? { healthCheck: opts.healthCheck } : {}),
  };
  const queries = applicableQueries(opts.verifyQueries ?? [], report.backup.sourceDb ?? opts.database);
  const counts = report.backup.rowCounts;
  const format = report.backup.format === 'custom' ? 'custom' : 'plain';
  const steps: Step[] = [
    servicesStep(env, 'stop'),
    terminateStep(env),
    safetyDumpStep(env),
    recreateStep(env),
    loadStep(env, opts.backup, format),
    grantStep(env),
    verifyStep(env, () => counts, queries),
    servicesStep(env, 'start'),
    healthStep(env),
  ];
  const plan: Plan = {
    action: 'restore.database',
    target: opts.database,
    danger: 'destructive',
    steps,
    blastRadius: async () => blastLines(report, env),
  };
  return {
    report,
    restore: {
      plan,
      report,
      env,
      beforeDrop: ['stop-services', 'terminate', 'safety-dump'],
      backup: opts.backup,
      queries,
    },
  };
}

/** Records a restore that preflight stopped (the database untouched) in the audit trail; never throws. */
export async function recordPreflightRefusal(
  audit: AuditSink,
  report: PreflightReport,
  database: string,
): Promise<void> {
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.detail}`);
  await audit
    .record({
      event: 'refused',
      action: 'restore.database',
      target: database,
      result: 'refused',
      error: `preflight failed: ${failed.join('; ')}`,
      reason: `${database} untouched`,
    })
    .catch(() => undefined);
}

function blastLines(report: PreflightReport, env: StepEnv): string[] {
  const t = report.target;
  const backupName = path.basename(report.backup.path);
  const lines = [
    t?.exists
      ? `${env.database} (${bytes(t.sizeBytes ?? 0)}, owner ${t.owner}) is DROPPED and replaced by ${backupName}`
      : `${env.database} is created from ${backupName}`,
  ];
  if (t?.exists) lines.push(`a safety dump is taken first, under ${env.safetyRoot}`);
  for (const g of report.connections) lines.push(`terminated: ${groupLine(g)}`);
  for (const s of report.services) lines.push(`stopped, then started again: ${s.name} (now ${s.state})`);
  return lines;
}

/**
 * Before the drop: open the database again and start the services that were stopped; undefined when nothing needs
 * undoing.
 */
export function undoPlan(r: RestorePlan): Plan | undefined {
  const t = r.env.tracker;
  if (!t.blocked && !t.servicesStopped) return undefined;
  return {
    action: 'restore.undo',
    target: r.env.database,
    danger: 'safe',
    steps: [servicesStep(r.env, 'start', 'undo-start-services')],
  };
}

/** After the drop: put the safety dump back (verified against its own counts); undefined without a safety dump. */
export function rollbackPlan(r: RestorePlan): Plan | undefined {
  const env = r.env;
  const dump = env.tracker.safetyDump;
  if (!dump) return undefined;
  const steps: Step[] = [];
  // The services came back up on the failed restore: they must let go of the database again.
  if (env.tracker.servicesStarted) steps.push(servicesStep(env, 'stop', 'rollback-stop-services'));
  steps.push(
    recreateStep(env, 'rollback-recreate', 'drop and recreate the database again'),
    loadStep(env, dump, env.safetyFormat, 'rollback-load', 'restore the safety dump'),
    grantStep(env, 'rollback-grant'),
    verifyStep(env, () => env.tracker.safetyCounts, [], 'rollback-verify'),
    servicesStep(env, 'start', 'rollback-start-services'),
    healthStep(env, 'rollback-health-check'),
  );
  return { action: 'restore.rollback', target: env.database, danger: 'destructive', steps };
}
