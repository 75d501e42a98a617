// After the drop, anything that fails — the load half-way, the verification — is offered a
// rollback, and the rollback puts the data that was there before back, verified. Connections of
// other clients are terminated, services are stopped and started through the service layer, and
// a database with an awkward name is handled as one quoted identifier throughout.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appServices } from '../../src/restore/app-services.js';
import { executeRestore } from '../../src/restore/execute.js';
import { prepareRestore, safetyRootFor } from '../../src/restore/plan.js';
import { configSchema, type ServiceConfig } from '../../src/config/schema.js';
import { healthChecker } from '../../src/app/health-checker.js';
import { postgresService, unavailable } from '../helpers/services.js';
import {
  actionLayer,
  backup,
  checksum,
  createDatabase,
  DAMAGE,
  dropDatabase,
  rewriteBackup,
  SEED,
  server,
  sql,
  tempDir,
} from './helpers.js';

describe.skipIf(unavailable('postgres'))('restore failures and rollback', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;

  beforeAll(async () => {
    db = await createDatabase('rs_rb');
    await sql(db, ...SEED);
    root = tempDir('rb');
    file = await backup(root.dir, db);
    await sql(db, ...DAMAGE);
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });

  const restoreWith = async (backupFile: string, rollback: 'y' | 'n') => {
    const { restore, report } = await prepareRestore({
      backup: backupFile,
      database: db,
      conn: server(),
      safetyRoot: safetyRootFor(root.dir),
    });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirmAt: 'start',
      confirm: async (q) => (q.stage === 'rollback' ? rollback : q.kind === 'type' ? q.expect : 'y'),
    });
    return { out, audit };
  };

  it('a dump whose middle statement fails: the load rolls back, the safety dump is put back', async () => {
    const before = await checksum(db);
    const broken = await rewriteBackup(
      file,
      (t) => t.replace('\nCOPY public.incidents', '\nSELECT 1/0;\nCOPY public.incidents'),
      path.join(path.dirname(file), 'full_backup_20250105_030000.sql.gz'),
    );
    const { out, audit } = await restoreWith(broken, 'y');
    expect(out.result).toBe('failed');
    expect(out.steps.find((s) => s.id === 'load')).toMatchObject({ status: 'failed' });
    expect(out.steps.find((s) => s.id === 'load')!.error).toMatch(/division by zero/);
    expect(out.recovery).toMatchObject({ action: 'restore.rollback', result: 'succeeded' });
    expect(out.db.kind).toBe('rolled-back');
    expect(out.db.text).toContain(out.safetyDump!);
    expect(await checksum(db)).toEqual(before);
    expect(audit.entries.some((e) => e.action === 'restore.rollback' && e.event === 'succeeded')).toBe(true);
  });

  it('row counts not matching the sidecar fail the restore, and the rollback brings the old data back', async () => {
    const before = await checksum(db);
    const lying = await rewriteBackup(
      file,
      (t) => t,
      path.join(path.dirname(file), 'full_backup_20250105_040000.sql.gz'),
      (m) => {
        m.rowCounts!['public.incidents'] = 2999;
      },
    );
    const { out } = await restoreWith(lying, 'y');
    expect(out.result).toBe('failed');
    expect(out.comparison!.ok).toBe(false);
    expect(out.comparison!.rows.find((r) => r.name === 'public.incidents')).toMatchObject({
      expected: '2999',
      actual: '3000',
      ok: false,
    });
    expect(out.db.kind).toBe('rolled-back');
    expect(await checksum(db)).toEqual(before);
  });

  it("a failing named health check (the services' sql check) fails the restore, and the rollback applies", async () => {
    const before = await checksum(db);
    const pgs = postgresService();
    const parsed = configSchema.parse({
      services: [{ name: 'api', group: 'application', start: ['true'], stop: ['true'], checks: ['incidents'] }],
      checks: [{ name: 'incidents', sql: { query: 'SELECT count(*) FROM public.incidents', expect: '0' } }],
    });
    const postgres = { ...pgs, database: db, interval: 2000, statementTimeout: 2000 };
    const health = healthChecker({ checks: parsed.checks, defaultChecks: [], postgres })!;
    const services = await appServices(parsed.services, undefined, { health });
    const { restore } = await prepareRestore({
      backup: file,
      database: db,
      conn: server(),
      safetyRoot: safetyRootFor(root.dir),
      services,
    });
    expect(restore!.plan.steps.at(-1)!.describe().text).toContain(
      'then the checks incidents: SQL SELECT count(*) FROM public.incidents → 0',
    );
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirmAt: 'start',
      confirm: async (q) => (q.stage === 'rollback' ? 'y' : q.kind === 'type' ? q.expect : 'y'),
    });
    expect(out.result).toBe('failed');
    const failed = out.steps.find((x) => x.status === 'failed');
    expect(failed?.id).toBe('health-check');
    expect(failed?.error).toBe('health check failed: incidents (answered 3000, expected 0, 1 attempt)');
    expect(failed?.output).toContain('FAIL incidents: answered 3000, expected 0 (1 attempt)');
    expect(out.db.kind).toBe('rolled-back');
    expect(await checksum(db)).toEqual(before);
  });

  it('declining the rollback says the database is unverified, names the safety dump and leaves it closed', async () => {
    const lying = await rewriteBackup(
      file,
      (t) => t,
      path.join(path.dirname(file), 'full_backup_20250105_050000.sql.gz'),
      (m) => {
        m.rowCounts!['public.users'] = 1;
      },
    );
    const { out } = await restoreWith(lying, 'n');
    expect(out.db.kind).toBe('unverified');
    expect(out.db.text).toMatch(/^UNVERIFIED: .*safety dump of the data it held is .*before-restore/);
    expect(existsSync(out.safetyDump!)).toBe(true);
    expect(out.summary.join('\n')).toMatch(/still closed to clients \(CONNECTION LIMIT 0\)/);
    await sql('postgres', `ALTER DATABASE ${db} CONNECTION LIMIT -1`);
  });

  it('terminates the connections of other clients, listed by application at preflight', async () => {
    const s = postgresService();
    const held = new pg.Client({
      host: s.host,
      port: s.port,
      user: s.user,
      database: db,
      application_name: 'held-by-test',
    });
    const errors: Error[] = [];
    held.on('error', (e) => errors.push(e));
    await held.connect();
    try {
      const { restore, report } = await prepareRestore({
        backup: file,
        database: db,
        conn: server(),
        safetyRoot: safetyRootFor(root.dir),
      });
      expect(report.checks.find((c) => c.id === 'connections')!.lines).toContainEqual(
        expect.stringMatching(/^1× held-by-test \(postgres@/),
      );
      const { audit, guard } = actionLayer();
      const out = await executeRestore(restore!, {
        guard,
        audit,
        confirmAt: 'start',
        confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
      });
      expect(out.result).toBe('succeeded');
      expect(out.steps.find((s) => s.id === 'terminate')!.note).toMatch(/^1 connection terminated/);
      await expect(held.query('SELECT 1')).rejects.toThrow();
    } finally {
      await held.end().catch(() => undefined);
    }
  });

  it('stops the application services before and starts them after, through the service layer', async () => {
    const dir = tempDir('svc');
    const marker = path.join(dir.dir, 'app.running');
    const svc = (name: string): ServiceConfig => ({
      name,
      group: 'application',
      start: ['touch', `${marker}.${name}`],
      stop: ['rm', '-f', `${marker}.${name}`],
      status: ['test', '-e', `${marker}.${name}`],
      timeout: 10_000,
    });
    const db2: ServiceConfig = {
      name: 'db-itself',
      group: 'database',
      start: ['false'],
      stop: ['false'],
      timeout: 10_000,
    };
    try {
      const services = await appServices([db2, svc('api'), svc('worker')], undefined);
      expect(services.services.map((s) => s.name)).toEqual(['api', 'worker']);
      const { audit, guard } = actionLayer();
      for (const n of ['api', 'worker']) writeFileSync(`${marker}.${n}`, '');
      const { restore, report } = await prepareRestore({
        backup: file,
        database: db,
        conn: server(),
        safetyRoot: safetyRootFor(root.dir),
        services,
      });
      expect(report.checks.find((c) => c.id === 'services')).toMatchObject({
        status: 'pass',
        lines: ['api: running (status exit 0)', 'worker: running (status exit 0)'],
      });
      expect(restore!.plan.steps[0]!.describe().text).toBe(
        `worker: unless already stopped: rm -f ${marker}.worker, ` +
          `then wait until \`test -e ${marker}.worker\` says stopped; ` +
          `api: unless already stopped: rm -f ${marker}.api, ` +
          `then wait until \`test -e ${marker}.api\` says stopped`,
      );
      const seenDuringLoad: boolean[] = [];
      const out = await executeRestore(restore!, {
        guard,
        audit,
        confirmAt: 'start',
        confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
        onUpdate: (s) => {
          if (s.steps.find((x) => x.id === 'load')?.status === 'running')
            seenDuringLoad.push(existsSync(`${marker}.api`) || existsSync(`${marker}.worker`));
        },
      });
      expect(out.result).toBe('succeeded');
      expect(seenDuringLoad.length).toBeGreaterThan(0);
      expect(seenDuringLoad.every((running) => !running)).toBe(true);
      expect(existsSync(`${marker}.api`) && existsSync(`${marker}.worker`)).toBe(true);
      expect(out.summary.join('\n')).toMatch(/Services: Now: running api, worker\./);
    } finally {
      dir.remove();
    }
  });
});

describe.skipIf(unavailable('postgres'))('a database with an awkward name', () => {
  it('is one quoted identifier from backup to restore', async () => {
    const db = await createDatabase(`rs odd "name"; DROP x 'y' host=evil`);
    const root = tempDir('odd');
    try {
      await sql(db, ...SEED);
      const files = { plain: await backup(root.dir, db), custom: await backup(root.dir, db, 'custom') };
      const original = await checksum(db);
      await sql(db, ...DAMAGE);
      for (const format of ['plain', 'custom'] as const) {
        const f = files[format];
        const { restore, report } = await prepareRestore({
          backup: f,
          database: db,
          conn: server(),
          safetyRoot: safetyRootFor(root.dir),
        });
        expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
        const { audit, guard } = actionLayer();
        const out = await executeRestore(restore!, {
          guard,
          audit,
          confirmAt: 'start',
          confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
        });
        expect(out.result).toBe('succeeded');
        expect(await checksum(db)).toEqual(original);
        if (format === 'plain') await sql(db, ...DAMAGE);
      }
    } finally {
      root.remove();
      await dropDatabase(db);
    }
  });
});
