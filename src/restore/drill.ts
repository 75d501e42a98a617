// Restore drills (the manual's monthly restore test and DR drill): a backup is restored into a
// scratch database `<db>_drill_<YYYYMMDD_HHMMSS>`, verified exactly as a restore is, timed,
// recorded in the drill log, and the scratch database is dropped again whatever happened. The
// source database is never touched. Read-only mode refuses drills: a drill writes a full copy of
// the database onto the production server's disk and loads its I/O, and read-only means the
// console cannot hurt production (arming lifts it, like any action).
import os from 'node:os';
import path from 'node:path';
import type { AuditSink } from '../plan/audit.js';
import { errorText } from '../plan/errors.js';
import { executePlan } from '../plan/execute.js';
import type { PlanGuard } from '../plan/guard.js';
import type { Plan, PlanResult, StepState } from '../plan/plan.js';
import { stamp } from '../backup/naming.js';
import { isAlive } from '../backup/pid.js';
import { readSidecar } from '../backup/sidecar.js';
import type { PgTarget } from '../backup/pg-tools.js';
import { createDatabaseSql, dropDatabaseSql } from './db-facts.js';
import { appendDrill, type DrillRecord } from '../backup/drill-log.js';
import { existingEntryOf } from '../backup/existing-verify.js';
import { preflightRestore, type PreflightOptions } from './preflight.js';
import { maintenanceDb, MAX_IDENT_BYTES, quoteIdent, quoteLiteral, withDb } from './sql.js';
import { loadStep, newTracker, verifyStep, type StepEnv } from './steps.js';
import type { Check, Comparison } from './types.js';
import { applicableQueries, type VerifyQuery } from './verify-data.js';

const MARK = 'opsdeck drill scratch';

export interface DrillOptions {
  backup: string;
  /** The server, as a superuser (`database` ignored). */
  conn: PgTarget;
  /** The same guard as every other action: arming that lapses mid-drill stops it before its next plan. */
  guard: PlanGuard;
  audit: AuditSink;
  /** Where the result is appended (drillLogPath(backups.dir)); no log when undefined. */
  logPath?: string;
  verifyQueries?: readonly VerifyQuery[];
  /** Another tool's directories and opsdeck's facts about them (see PreflightOptions.existing). */
  existing?: PreflightOptions['existing'];
  onUpdate?: (s: DrillSnapshot) => void;
  signal?: AbortSignal;
  now?: () => Date;
  tools?: StepEnv['tools'];
}

/** Plain-data state of a drill, for the Backups view. */
export interface DrillSnapshot {
  backup: string;
  scratch: string;
  phase: 'preflight' | 'running' | 'done';
  checks: Check[];
  steps: StepState[];
  comparison?: Comparison;
  result?: PlanResult;
  record?: DrillRecord;
  summary: string[];
}

/** `<db>_drill_<YYYYMMDD_HHMMSS>`, the database part shortened (by whole characters) to fit PostgreSQL's 63 bytes. */
export function scratchName(db: string, at: Date): string {
  const suffix = `_drill_${stamp(at)}`;
  const chars = Array.from(db);
  while (chars.length > 0 && Buffer.byteLength(chars.join('') + suffix) > MAX_IDENT_BYTES) chars.pop();
  return chars.join('') + suffix;
}

/**
 * Drops scratch databases left by drills on this host whose process is gone (killed mid-drill); returns their
 * names.
 */
export async function sweepStaleScratch(conn: PgTarget): Promise<string[]> {
  return withDb(conn, 'postgres', async (c) => {
    const r = await c.query<{ name: string; note: string; v: string }>(
      `SELECT datname AS name, shobj_description(oid, 'pg_database') AS note, current_setting('server_version_num') AS v
         FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE $1`,
      [`${MARK};%`],
    );
    const swept: string[] = [];
    for (const row of r.rows) {
      const m = /; host=(.*); pid=(\d+);/.exec(row.note);
      if (!m || m[1] !== os.hostname() || isAlive(Number(m[2]))) continue;
      await c.query(dropDatabaseSql(row.name, Number(row.v), true));
      swept.push(row.name);
    }
    return swept;
  });
}

/**
 * Restores `backup` into a scratch database, verifies, records and drops it; resolves to the final snapshot, never
 * rejects.
 */
export async function runDrill(opts: DrillOptions): Promise<DrillSnapshot> {
  const at = (opts.now ?? (() => new Date()))();
  const t0 = performance.now();
  const meta = await readSidecar(opts.backup).catch(() => undefined);
  const other = meta ? undefined : await existingEntryOf(opts.backup, opts.existing).catch(() => undefined);
  const sourceDb =
    meta?.source.type === 'postgres'
      ? meta.source.name
      : other?.source.type === 'postgres'
        ? other.source.name
        : dirSource(opts.backup);
  const snap: DrillSnapshot = {
    backup: opts.backup,
    scratch: scratchName(sourceDb, at),
    phase: 'preflight',
    checks: [],
    steps: [],
    summary: [],
  };
  const emit = (): void => opts.onUpdate?.(structuredClone(snap));
  const verdict = opts.guard.check({ changesState: true });
  if (!verdict.ok) {
    await opts.audit
      .record({
        event: 'refused',
        action: 'restore.drill',
        target: opts.backup,
        result: 'refused',
        error: verdict.reason,
      })
      .catch(() => undefined);
    return done(snap, 'refused', [`Refused: ${verdict.reason}`, 'Nothing was done.'], emit);
  }
  emit();
  await sweepStaleScratch(opts.conn).catch(() => []);
  const report = await preflightRestore({
    backup: opts.backup,
    conn: opts.conn,
    database: snap.scratch,
    mode: 'drill',
    ...(opts.verifyQueries ? { verifyQueries: opts.verifyQueries } : {}),
    ...(opts.existing ? { existing: opts.existing } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  snap.checks = report.checks;
  const record = (ok: boolean, message: string, dropped: boolean, extra: Partial<DrillRecord> = {}): DrillRecord => ({
    version: 1,
    at: at.toISOString(),
    source: sourceDb,
    backup: opts.backup,
    scratch: snap.scratch,
    ok,
    durationMs: Math.round(performance.now() - t0),
    bytes: report.backup.size,
    message,
    dropped,
    host: os.hostname(),
    ...extra,
  });
  if (!report.ok || !report.server || !report.owner) {
    const bad = report.checks.find((c) => c.status === 'fail');
    const rec = record(false, `preflight: ${bad?.title ?? '?'}: ${bad?.detail ?? 'failed'}`, true);
    await opts.audit
      .record({ event: 'failed', action: 'restore.drill', target: snap.scratch, result: 'failed', error: rec.message })
      .catch(() => undefined);
    return finishDrill(snap, opts, rec, 'failed', emit);
  }

  const env: StepEnv = {
    conn: opts.conn,
    database: snap.scratch,
    owner: report.owner,
    server: report.server,
    tracker: newTracker(),
    safetyRoot: '',
    safetyFormat: 'plain',
    tools: opts.tools ?? {},
  };
  const q = quoteIdent(snap.scratch);
  const mark = `${MARK}; host=${os.hostname()}; pid=${process.pid}; started=${at.toISOString()}`;
  const create = [
    createDatabaseSql(snap.scratch, report.owner, undefined),
    `COMMENT ON DATABASE ${q} IS ${quoteLiteral(mark)}`,
  ];
  const drop = dropDatabaseSql(snap.scratch, report.server.versionNum, true);
  let dropped = false;
  const dropScratch = async (): Promise<void> => {
    await withDb(opts.conn, maintenanceDb(snap.scratch), (c) => c.query(drop));
    dropped = true;
  };
  const format = report.backup.format === 'custom' ? 'custom' : 'plain';
  const queries = applicableQueries(opts.verifyQueries ?? [], sourceDb);
  const plan: Plan = {
    action: 'restore.drill',
    target: snap.scratch,
    danger: 'safe',
    changesState: true,
    steps: [
      {
        id: 'drill-create',
        title: 'create the scratch database',
        describe: () => ({ kind: 'sql', text: create.join('; ') }),
        run: () =>
          withDb(opts.conn, maintenanceDb(snap.scratch), async (c) => {
            for (const s of create) await c.query(s);
            env.tracker.created = true;
          }),
      },
      loadStep(env, opts.backup, format, 'drill-load', 'restore the backup into it'),
      verifyStep(env, () => report.backup.rowCounts, queries, 'drill-verify'),
      {
        id: 'drill-drop',
        title: 'drop the scratch database',
        describe: () => ({ kind: 'sql', text: drop }),
        run: dropScratch,
      },
    ],
    // Runs after every outcome: a failed or cancelled drill must not leave its copy behind.
    epilogue: async () => {
      if (!env.tracker.created || dropped) return [];
      await dropScratch();
      return [`dropped the scratch database ${snap.scratch}`];
    },
  };
  snap.phase = 'running';
  let outcome;
  try {
    outcome = await executePlan(plan, {
      guard: opts.guard,
      audit: opts.audit,
      onUpdate: (run) => ((snap.steps = run.steps), emit()),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    if (env.tracker.created && !dropped) await dropScratch().catch(() => undefined);
  }
  snap.steps = outcome.steps;
  if (env.tracker.comparison) snap.comparison = env.tracker.comparison;
  const ms = (id: string): number | undefined => {
    const s = outcome.steps.find((x) => x.id === id);
    return s?.startedAt !== undefined && s.endedAt !== undefined ? s.endedAt - s.startedAt : undefined;
  };
  const cmp = env.tracker.comparison;
  const ok = outcome.result === 'succeeded' && dropped;
  const message =
    outcome.result === 'succeeded'
      ? dropped
        ? (cmp?.message ?? 'verified')
        : `verified, but the scratch database ${snap.scratch} could not be dropped`
      : (outcome.error ?? outcome.summary[0] ?? outcome.result);
  const loadMs = ms('drill-load');
  const verifyMs = ms('drill-verify');
  const rec = record(ok, message, dropped, {
    ...(loadMs !== undefined ? { loadMs } : {}),
    ...(verifyMs !== undefined ? { verifyMs } : {}),
    ...(cmp
      ? { tables: cmp.rows.filter((r) => r.kind === 'table').length, mismatches: cmp.rows.filter((r) => !r.ok).length }
      : {}),
  });
  snap.summary = outcome.summary;
  return finishDrill(
    snap,
    opts,
    rec,
    ok ? 'succeeded' : outcome.result === 'succeeded' ? 'failed' : outcome.result,
    emit,
  );
}

/** The database a backup belongs to from its directory (`<root>/postgres/<db>/`), when it has no sidecar. */
function dirSource(file: string): string {
  const seg = path.basename(path.dirname(file));
  try {
    return decodeURIComponent(seg) || 'restore';
  } catch {
    return seg;
  }
}

async function finishDrill(
  snap: DrillSnapshot,
  opts: DrillOptions,
  rec: DrillRecord,
  result: PlanResult,
  emit: () => void,
): Promise<DrillSnapshot> {
  snap.record = rec;
  const secs = (rec.durationMs / 1000).toFixed(1);
  const dropName = quoteIdent(snap.scratch);
  const lines = [`Drill of ${opts.backup}: ${rec.ok ? 'PASSED' : 'FAILED'} in ${secs} s — ${rec.message}`];
  lines.push(
    rec.dropped
      ? `The scratch database ${snap.scratch} is gone; ${rec.source} was not touched.`
      : `The scratch database ${snap.scratch} is STILL THERE: drop it by hand (DROP DATABASE ${dropName}).`,
  );
  if (opts.logPath) {
    try {
      await appendDrill(opts.logPath, rec);
      lines.push(`Recorded in ${opts.logPath}.`);
    } catch (err) {
      lines.push(`Could NOT record the result in ${opts.logPath}: ${errorText(err)}`);
    }
  }
  return done(snap, result, [...lines, ...snap.summary], emit);
}

function done(snap: DrillSnapshot, result: PlanResult, summary: string[], emit: () => void): DrillSnapshot {
  snap.result = result;
  snap.summary = summary;
  snap.phase = 'done';
  emit();
  return structuredClone(snap);
}
