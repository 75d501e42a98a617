// The steps of a restore (SPEC §4, the manual's restore-db.sh) as action-layer steps. Every step
// builds its exact SQL or argv up front, so describe() shows precisely what run() executes, and
// records what it changed in the shared tracker, so the engine can always say what state the
// database is in and what a rollback or an undo must put back.
import { ActionError } from '../plan/errors.js';
import type { Step, StepContext } from '../plan/plan.js';
import { pgBackupJob } from '../backup/pg-backup.js';
import type { PgTarget } from '../backup/pg-tools.js';
import type { AppServices } from './app-services.js';
import { createDatabaseSql, dropDatabaseSql, type DbFacts, type ServerFacts } from './db-facts.js';
import { describeLoad, loadArgv, loadBackup, type LoadOptions } from './load-data.js';
import { maintenanceDb, quoteIdent, quoteLiteral, withDb } from './sql.js';
import type { Comparison } from './types.js';
import { verifyDatabase, type VerifyQuery } from './verify-data.js';
import { bytes } from '../present/format.js';

/** What has been changed so far; the engine reads it to name the database's state at every exit. */
export interface Tracker {
  servicesStopped: boolean;
  blocked: boolean;
  safetyDump?: string;
  /** Row counts the safety dump recorded (the rollback verifies against them). */
  safetyCounts?: Record<string, number>;
  dropped: boolean;
  created: boolean;
  loaded: boolean;
  /** Which file is loaded into the database now (the backup, or the safety dump after a rollback). */
  loadedFrom?: string;
  verified: boolean;
  comparison?: Comparison;
  reopened: boolean;
  servicesStarted: boolean;
}

/** A fresh tracker: nothing changed yet. */
export function newTracker(): Tracker {
  return {
    servicesStopped: false,
    blocked: false,
    dropped: false,
    created: false,
    loaded: false,
    verified: false,
    reopened: false,
    servicesStarted: false,
  };
}

/** Everything the steps share. */
export interface StepEnv {
  conn: PgTarget;
  database: string;
  owner: string;
  server: ServerFacts;
  /** The target as it is now (undefined or exists=false: nothing to save or terminate). */
  facts?: DbFacts;
  services?: AppServices;
  tracker: Tracker;
  /** Where safety dumps go (a backup root of its own, so they never pass for the newest backup). */
  safetyRoot: string;
  safetyFormat: 'plain' | 'custom';
  tools: Pick<LoadOptions, 'psql' | 'pgRestore' | 'env'> & { pgDump?: string };
  healthCheck?: (signal: AbortSignal) => Promise<string[]>;
}

const exists = (env: StepEnv): boolean => env.facts?.exists === true;
const sqlStep = (
  id: string,
  title: string,
  statements: () => string[],
  run: (ctx: StepContext) => Promise<string | void>,
  cancellable = false,
): Step => ({
  id,
  title,
  describe: () => ({ kind: 'sql', text: statements().join('; ') || '(nothing to do)' }),
  run,
  cancellable,
});

/** 1 (and 8): stop or start the application services through the action layer. */
export function servicesStep(env: StepEnv, verb: 'start' | 'stop', id = `${verb}-services`): Step {
  const reopen = verb === 'start' ? reopenSql(env) : [];
  return {
    id,
    title: verb === 'stop' ? 'stop application services' : 'restart application services',
    describe: () => {
      const svc = env.services?.describe(verb) ?? 'no application services configured: nothing to do';
      return { kind: 'argv', text: reopen.length > 0 ? `${reopen.join('; ')}; then ${svc}` : svc };
    },
    run: async (ctx) => {
      if (verb === 'start' && reopen.length > 0 && !env.tracker.reopened) {
        await withDb(env.conn, maintenanceDb(env.database), async (c) => {
          for (const s of reopen) await c.query(s);
        });
        env.tracker.reopened = true;
        ctx.output(`${env.database} accepts connections again`);
      }
      if (!env.services || env.services.services.length === 0) return 'no application services configured';
      // Set first: a half-done stop still needs a start on every way out.
      if (verb === 'stop') env.tracker.servicesStopped = true;
      const note = await env.services.run(verb, ctx);
      if (verb === 'start') env.tracker.servicesStarted = true;
      return note;
    },
  };
}

function reopenSql(env: StepEnv): string[] {
  return [
    `ALTER DATABASE ${quoteIdent(env.database)} CONNECTION LIMIT ${env.facts?.exists ? env.facts.connLimit : -1}`,
  ];
}

/** 2: close the database to new clients, then end every other session on it. */
export function terminateStep(env: StepEnv): Step {
  const q = quoteIdent(env.database);
  const lit = quoteLiteral(env.database);
  const sql = exists(env)
    ? [
        `ALTER DATABASE ${q} CONNECTION LIMIT 0`,
        // Concatenated, not re-broken: the plan shows this text (describe), so it stays on one line.
        'SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity ' +
          `WHERE datname = ${lit} AND pid <> pg_backend_pid()`,
      ]
    : [];
  // Who is still there after a round, and whether the connection limit can hold them back at all.
  const left = `SELECT count(*) FILTER (WHERE NOT coalesce(r.rolsuper, false))::int AS apps,
      count(*) FILTER (WHERE r.rolsuper)::int AS supers
    FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
    WHERE a.datname = ${lit} AND a.pid <> pg_backend_pid()`;
  return sqlStep(
    'terminate',
    'terminate other connections',
    () => sql,
    async (ctx) => {
      if (sql.length === 0) return 'the database does not exist: nobody to disconnect';
      return withDb(env.conn, maintenanceDb(env.database), async (c) => {
        // The limit keeps applications (non-superusers) from coming straight back; our own superuser tools still
        // get in.
        env.tracker.blocked = true;
        await c.query(sql[0]!);
        const ended = new Set<number>();
        const deadline = Date.now() + 10_000;
        for (;;) {
          const r = await c.query<{ pid: number }>(sql[1]!);
          const fresh = r.rows.filter((x) => !ended.has(x.pid));
          for (const x of fresh) ended.add(x.pid);
          if (fresh.length > 0) ctx.output(`terminated ${fresh.length} session${fresh.length === 1 ? '' : 's'}`);
          const total = ended.size;
          // A terminated backend takes a moment to leave pg_stat_activity; nobody terminated, nothing to wait for.
          if (r.rows.length > 0) await new Promise((res) => setTimeout(res, 100));
          const { apps, supers } = (await c.query<{ apps: number; supers: number }>(left)).rows[0]!;
          const terminated = `${total} connection${total === 1 ? '' : 's'} terminated`;
          const done = `${terminated}; new connections blocked (CONNECTION LIMIT 0)`;
          // Superuser sessions (monitoring, say) pass the limit and may come back; DROP … WITH (FORCE) ends them at
          // the drop.
          if (apps === 0)
            return supers > 0
              ? `${done}; ${supers} superuser session${supers === 1 ? '' : 's'} reconnected (the drop will end them)`
              : done;
          if (Date.now() > deadline)
            throw new ActionError(
              'failed',
              `${apps} session${apps === 1 ? '' : 's'} of ${env.database} did not go away within 10 s`,
            );
        }
      });
    },
  );
}

/** 3: a full, verified dump of the database as it is now, into the safety root. */
export function safetyDumpStep(env: StepEnv): Step {
  // Made once, when the plan is built, so describe() names the very file run() writes.
  let current: StepContext | undefined;
  const job = pgBackupJob({
    root: env.safetyRoot,
    target: { ...env.conn, database: env.database },
    kind: 'full',
    format: env.safetyFormat,
    ...(env.tools.pgDump ? { pgDump: env.tools.pgDump } : {}),
    ...(env.tools.pgRestore ? { pgRestore: env.tools.pgRestore } : {}),
    ...(env.tools.env ? { env: env.tools.env } : {}),
    onProgress: (p) =>
      current?.progress({
        done: p.bytesIn,
        unit: 'bytes',
        label: `${p.phase}: ${bytes(p.bytesIn)} dumped, ${bytes(p.bytesWritten)} written`,
      }),
  });
  return {
    id: 'safety-dump',
    title: 'safety dump of the current database',
    describe: () => ({
      kind: 'argv',
      text: exists(env)
        ? `${job.describeDump()}; then verified and published like any backup under ${env.safetyRoot}`
        : '(the database does not exist: nothing to save)',
    }),
    cancellable: true,
    run: async (ctx) => {
      if (!exists(env)) return 'the database does not exist: nothing to save';
      current = ctx;
      try {
        await job.dump(ctx.signal);
        await job.verify(ctx.signal);
        if (ctx.signal.aborted) throw new ActionError('cancelled', 'cancelled');
        const rec = await job.publish();
        env.tracker.safetyDump = rec.path;
        if (rec.meta.rowCounts) env.tracker.safetyCounts = rec.meta.rowCounts;
        ctx.output(rec.path);
        return `${rec.path} (${bytes(rec.meta.size)}, verified)`;
      } catch (err) {
        await job.discard();
        throw err;
      } finally {
        current = undefined;
      }
    },
  };
}

/**
 * 4: drop the database and create it again, empty, with its owner, settings and grants (connected to the
 * maintenance database).
 */
export function recreateStep(env: StepEnv, id = 'recreate', title = 'drop and recreate the database'): Step {
  const facts = env.facts;
  const drop = dropDatabaseSql(env.database, env.server.versionNum, true);
  const create = createDatabaseSql(env.database, env.owner, facts);
  const after = [...(facts?.settings ?? []), ...(facts?.grants ?? [])];
  return sqlStep(
    id,
    title,
    () => [drop, create, ...after],
    async (ctx) => {
      await withDb(env.conn, maintenanceDb(env.database), async (c) => {
        await c.query(drop);
        env.tracker.dropped = true;
        env.tracker.created = env.tracker.loaded = env.tracker.verified = env.tracker.reopened = false;
        delete env.tracker.loadedFrom;
        ctx.output(`dropped ${env.database}`);
        await c.query(create);
        env.tracker.created = true;
        env.tracker.blocked = true;
        ctx.output(`created ${env.database} owned by ${env.owner}, closed to clients until verified`);
        for (const s of after) await c.query(s);
      });
      const reapplied = after.length ? `, ${after.length} grant/setting statements re-applied` : '';
      return `empty ${env.database} owned by ${env.owner}${reapplied}`;
    },
  );
}

/** 5: load a dump file into the recreated database, with byte progress. */
export function loadStep(
  env: StepEnv,
  file: string,
  format: 'plain' | 'custom',
  id = 'load',
  title = 'restore the backup',
): Step {
  const o: LoadOptions = { file, format, target: { ...env.conn, database: env.database }, ...env.tools };
  return {
    id,
    title,
    describe: () => ({ kind: 'argv', text: describeLoad(o), argv: loadArgv(o) }),
    cancellable: true,
    run: async (ctx) => {
      const note = await loadBackup(o, ctx);
      env.tracker.loaded = true;
      env.tracker.loadedFrom = file;
      return note;
    },
  };
}

/** 6: the manual's grants: ALL on every table and sequence in schema public to the owner. */
export function grantStep(env: StepEnv, id = 'grant'): Step {
  const o = quoteIdent(env.owner);
  const sql = [
    `GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO ${o}`,
    `GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO ${o}`,
  ];
  return sqlStep(
    id,
    'grant privileges',
    () => sql,
    () =>
      withDb(env.conn, env.database, async (c) => {
        const has = await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'public'`);
        if (has.rowCount === 0) return 'the restored database has no schema public: nothing to grant';
        for (const s of sql) await c.query(s);
        return `granted to ${env.owner}`;
      }),
  );
}

/** 7: compare every table's row count with the recorded ones, and run the verification queries. */
export function verifyStep(
  env: StepEnv,
  expected: () => Record<string, number> | undefined,
  queries: readonly VerifyQuery[],
  id = 'verify',
): Step {
  return {
    id,
    title: 'verify the data',
    describe: () => {
      const n = Object.keys(expected() ?? {}).length;
      const qs = queries.map((q) => `${q.sql}${q.expect !== undefined ? ` = ${q.expect}` : ''}`);
      return {
        kind: 'sql',
        text: [`SELECT count(*) of every table, compared with the ${n} counts recorded at dump time`, ...qs].join('; '),
      };
    },
    cancellable: true,
    run: (ctx) =>
      withDb(env.conn, env.database, async (c) => {
        const cmp = await verifyDatabase(c, expected(), queries, ctx.signal);
        env.tracker.comparison = cmp;
        for (const r of cmp.rows) {
          if (r.ok) continue;
          const note = r.note ? ` (${r.note})` : '';
          ctx.output(`MISMATCH ${r.name}: expected ${r.expected ?? '—'}, got ${r.actual ?? '—'}${note}`);
        }
        if (!cmp.ok) throw new ActionError('failed', `verification failed: ${cmp.message}`);
        env.tracker.verified = true;
        return cmp.message;
      }),
  };
}

/** 9: the database answers, and every application service says it is running. */
export function healthStep(env: StepEnv, id = 'health-check'): Step {
  return {
    id,
    title: 'health check',
    describe: () => ({
      kind: 'check',
      text:
        `SELECT 1 on ${env.database}; every application service reports running` +
        (env.healthCheck ? '; the configured health check' : '') +
        (env.services?.describeChecks() ? `; then the checks ${env.services.describeChecks()}` : ''),
    }),
    cancellable: true,
    run: async (ctx) => {
      await withDb(env.conn, env.database, (c) => c.query('SELECT 1'));
      ctx.output(`${env.database} answers`);
      const all = env.services ? await env.services.status(ctx.signal) : [];
      for (const s of all) ctx.output(`${s.name}: ${s.state} (${s.detail})`);
      const bad = all.filter((s) => s.state !== 'running' && s.state !== 'unknown');
      if (bad.length > 0)
        throw new ActionError('failed', `not running: ${bad.map((s) => `${s.name} (${s.detail})`).join(', ')}`);
      if (env.healthCheck) for (const l of await env.healthCheck(ctx.signal)) ctx.output(l);
      const passed = env.services ? await env.services.runChecks(ctx) : undefined;
      const note =
        all.length > 0
          ? `${env.database} answers; ${all.length} service${all.length === 1 ? '' : 's'} running`
          : `${env.database} answers`;
      return passed ? `${note}; ${passed}` : note;
    },
  };
}
