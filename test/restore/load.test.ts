// The load and what a recreate must carry over, against the real PostgreSQL: a dump cut short
// commits nothing; database-level grants, settings and the connection limit survive the drop; a
// database that no longer exists is simply created; a cancel mid-load still offers the rollback.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackup } from '../../src/restore/load-data.js';
import { executeRestore } from '../../src/restore/execute.js';
import { prepareRestore, safetyRootFor } from '../../src/restore/plan.js';
import type { ConfirmRequest } from '../../src/restore/types.js';
import { uniqueName, unavailable } from '../helpers/services.js';
import {
  actionLayer,
  backup,
  checksum,
  createDatabase,
  databaseExists,
  dropDatabase,
  rewriteBackup,
  SEED,
  server,
  sql,
  tempDir,
} from './helpers.js';

describe.skipIf(unavailable('postgres'))('loading and recreating', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;
  const role = uniqueName('rs_reader');

  beforeAll(async () => {
    db = await createDatabase('rs_load');
    await sql(db, ...SEED, `CREATE TABLE big AS SELECT g AS id, md5(g::text) AS a FROM generate_series(1, 300000) g`);
    root = tempDir('load');
    file = await backup(root.dir, db);
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
    await sql('postgres', `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  const ctx = () => ({ signal: new AbortController().signal, output: () => undefined, progress: () => undefined });

  it('a dump cut short at a statement boundary commits nothing', async () => {
    const cut = await rewriteBackup(
      file,
      (t) => t.slice(0, t.indexOf('\nCOPY public.incidents')),
      path.join(root.dir, 'cut.sql.gz'),
    );
    const scratch = await createDatabase('rs_cut');
    try {
      await expect(
        loadBackup({ file: cut, format: 'plain', target: { ...server(), database: scratch } }, ctx()),
      ).rejects.toThrow(/does not end with "-- PostgreSQL database dump complete"/);
      const [r] = await sql(scratch, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(r!.rows[0].n).toBe(0);
    } finally {
      await dropDatabase(scratch);
    }
  });

  it('keeps the grants, settings and connection limit of the database itself across the drop', async () => {
    await sql(
      'postgres',
      `CREATE ROLE ${role} LOGIN`,
      `REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${role}`,
      `ALTER DATABASE ${db} SET work_mem = '8MB'`,
      `ALTER DATABASE ${db} SET search_path = "$user", public, "Ops Schema"`,
      `ALTER ROLE ${role} IN DATABASE ${db} SET statement_timeout = '5s'`,
      `ALTER DATABASE ${db} CONNECTION LIMIT 50`,
    );
    const facts = `SELECT d.datacl::text AS acl, d.datconnlimit AS lim,
        (SELECT string_agg(coalesce(r.rolname, '-') || ':' || x, ' | ' ORDER BY coalesce(r.rolname, '-') || ':' || x)
           FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) x
           WHERE s.setdatabase = d.oid) AS settings
      FROM pg_database d WHERE datname = '${db}'`;
    const [before] = await sql('postgres', facts);
    const { restore } = await prepareRestore({
      backup: file,
      database: db,
      conn: server(),
      safetyRoot: safetyRootFor(root.dir),
    });
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirmAt: 'start',
      confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
    });
    expect(out.result).toBe('succeeded');
    const [after] = await sql('postgres', facts);
    expect(after!.rows).toEqual(before!.rows);
    expect(before!.rows[0].lim).toBe(50);
  });

  it('restores a database that no longer exists (disaster recovery) with the owner asked for', async () => {
    const gone = uniqueName('rs_gone');
    try {
      const { report, restore } = await prepareRestore({
        backup: file,
        database: gone,
        owner: role,
        conn: server(),
        safetyRoot: safetyRootFor(root.dir),
      });
      expect(report.checks.find((c) => c.id === 'target')).toMatchObject({ status: 'warn' });
      const { audit, guard } = actionLayer();
      const out = await executeRestore(restore!, {
        guard,
        audit,
        confirmAt: 'start',
        confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
      });
      expect(out.result).toBe('succeeded');
      expect(out.safetyDump).toBeUndefined();
      expect(out.steps.find((s) => s.id === 'safety-dump')!.note).toMatch(/does not exist: nothing to save/);
      const [o] = await sql(
        'postgres',
        `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = '${gone}'`,
      );
      expect(o!.rows[0].owner).toBe(role);
      expect(await checksum(gone)).toEqual(await checksum(db));
    } finally {
      await dropDatabase(gone);
    }
  });

  it('a cancel during the load still offers the rollback, and the rollback puts the old data back', async () => {
    await sql(db, `DELETE FROM big WHERE id % 2 = 0`);
    const before = await checksum(db);
    const { restore } = await prepareRestore({
      backup: file,
      database: db,
      conn: server(),
      safetyRoot: safetyRootFor(root.dir),
    });
    const { audit, guard } = actionLayer();
    const ac = new AbortController();
    const asked: ConfirmRequest[] = [];
    const out = await executeRestore(restore!, {
      guard,
      audit,
      signal: ac.signal,
      confirmAt: 'start',
      confirm: async (q) => (asked.push(q), q.kind === 'type' ? q.expect : 'y'),
      onUpdate: (s) => {
        if ((s.steps.find((x) => x.id === 'load')?.progress?.done ?? 0) > 0) ac.abort();
      },
    });
    expect(out.result).toBe('cancelled');
    expect(out.steps.find((s) => s.id === 'load')!.status).toBe('cancelled');
    expect(asked.map((q) => q.stage)).toEqual(['start', 'rollback']);
    expect(out.db.kind).toBe('rolled-back');
    expect(await checksum(db)).toEqual(before);
    expect(await databaseExists(db)).toBe(true);
  });
});
