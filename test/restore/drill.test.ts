// Drills against the real PostgreSQL: a backup restored into a scratch database, verified,
// recorded and dropped — and dropped too when it fails, or when a killed drill left one behind.
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillLogPath, drillSummaries, readDrills } from '../../src/backup/drill-log.js';
import { runDrill, scratchName, sweepStaleScratch } from '../../src/restore/drill.js';
import { unavailable } from '../helpers/services.js';
import {
  actionLayer,
  backup,
  createDatabase,
  databaseExists,
  databasesLike,
  dropDatabase,
  rewriteBackup,
  SEED,
  server,
  sql,
  tempDir,
} from './helpers.js';

describe('scratch names', () => {
  it('are <db>_drill_<stamp>, shortened to 63 bytes by whole characters', () => {
    const at = new Date(2025, 0, 5, 3, 4, 5);
    expect(scratchName('itsm_db', at)).toBe('itsm_db_drill_20250105_030405');
    const long = scratchName('é'.repeat(40), at);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toBe(`${'é'.repeat(20)}_drill_20250105_030405`);
  });
});

describe.skipIf(unavailable('postgres'))('drills', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;

  beforeAll(async () => {
    db = await createDatabase('rs_drill');
    await sql(db, ...SEED);
    root = tempDir('drill');
    file = await backup(root.dir, db);
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });

  const drill = (backupFile: string, guard = actionLayer().guard) => {
    const { audit } = actionLayer();
    return {
      audit,
      run: runDrill({
        backup: backupFile,
        conn: server(),
        guard,
        audit,
        logPath: drillLogPath(root.dir),
        verifyQueries: [{ database: db, sql: 'SELECT count(*) FROM incidents', expect: '3000' }],
      }),
    };
  };

  it('restores into a scratch database, verifies, records the result and drops it', async () => {
    const before = await sql(db, 'SELECT count(*)::int AS n FROM incidents');
    const { run, audit } = drill(file);
    const out = await run;
    expect(out.result).toBe('succeeded');
    expect(out.scratch).toMatch(new RegExp(`^${db}_drill_\\d{8}_\\d{6}$`));
    expect(out.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'drill-create:done',
      'drill-load:done',
      'drill-verify:done',
      'drill-drop:done',
    ]);
    expect(out.comparison!.ok).toBe(true);
    expect(out.comparison!.rows.find((r) => r.kind === 'query')).toMatchObject({ actual: '3000', ok: true });
    expect(await databaseExists(out.scratch)).toBe(false);
    expect(out.record).toMatchObject({ ok: true, source: db, dropped: true, tables: 4, mismatches: 0 });
    expect(out.record!.loadMs).toBeGreaterThan(0);
    expect((await sql(db, 'SELECT count(*)::int AS n FROM incidents'))[0]!.rows).toEqual(before[0]!.rows);
    expect(audit.entries.map((e) => `${e.action}:${e.event}`)).toEqual([
      'restore.drill:confirmed',
      'restore.drill:succeeded',
    ]);
    const summary = (await drillSummaries(root.dir)).get(db)!;
    expect(summary.lastOk?.scratch).toBe(out.scratch);
  });

  it('a drill whose verification fails is recorded as failed and still leaves no scratch database', async () => {
    const lying = await rewriteBackup(
      file,
      (t) => t,
      path.join(path.dirname(file), 'full_backup_20250105_030000.sql.gz'),
      (m) => {
        m.rowCounts!['public.users'] = 24;
      },
    );
    const out = await drill(lying).run;
    expect(out.result).toBe('failed');
    expect(out.comparison!.rows.find((r) => r.name === 'public.users')).toMatchObject({
      expected: '24',
      actual: '25',
      ok: false,
    });
    expect(out.steps.find((s) => s.id === 'drill-drop')!.status).toBe('skipped');
    expect(await databaseExists(out.scratch)).toBe(false);
    expect(out.record).toMatchObject({ ok: false, dropped: true, mismatches: 1 });
    expect(out.summary.join('\n')).toMatch(/FAILED .* verification failed/);
  });

  it('a drill whose load fails half-way leaves no scratch database either', async () => {
    const broken = await rewriteBackup(
      file,
      (t) => t.replace('\nCOPY public.incidents', '\nSELECT 1/0;\nCOPY public.incidents'),
      path.join(path.dirname(file), 'full_backup_20250105_040000.sql.gz'),
    );
    const out = await drill(broken).run;
    expect(out.result).toBe('failed');
    expect(out.steps.find((s) => s.id === 'drill-load')!.error).toMatch(/division by zero/);
    expect(await databasesLike(`${db}_drill_`)).toEqual([]);
    const log = await readDrills(drillLogPath(root.dir));
    expect(log.map((r) => r.ok)).toEqual([true, false, false]);
    // The newest successful drill is still the first one.
    expect((await drillSummaries(root.dir)).get(db)!.lastOk!.at).toBe(log[0]!.at);
  });

  it('read-only mode refuses a drill and records nothing', async () => {
    const n = (await readDrills(drillLogPath(root.dir))).length;
    const out = await drill(file, actionLayer({ readOnly: true }).guard).run;
    expect(out.summary[0]).toMatch(/read-only mode/);
    expect(out.result).toBe('refused');
    expect((await readDrills(drillLogPath(root.dir))).length).toBe(n);
  });

  it('sweeps the scratch database of a drill that was killed (its process is gone)', async () => {
    const name = `${db}_drill_20240101_000000`;
    await sql(
      'postgres',
      `CREATE DATABASE ${name}`,
      `COMMENT ON DATABASE ${name} IS 'opsdeck drill scratch; host=${os.hostname()}; pid=999999999; started=x'`,
    );
    const alive = `${db}_drill_20240101_000001`;
    await sql(
      'postgres',
      `CREATE DATABASE ${alive}`,
      `COMMENT ON DATABASE ${alive} IS 'opsdeck drill scratch; host=${os.hostname()}; pid=${process.pid}; started=x'`,
    );
    try {
      expect(await sweepStaleScratch(server())).toContain(name);
      expect(await databaseExists(name)).toBe(false);
      expect(await databaseExists(alive)).toBe(true);
    } finally {
      await dropDatabase(alive);
    }
  });
});
