// A restore and a drill over a password login (its own PostgreSQL: the shared one trusts
// everybody): the password reaches psql, pg_dump and pg_restore through PGPASSWORD only — no
// process on the machine ever shows it in its command line — and it is in no step text.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import type { PgTarget } from '../../src/backup/pg-tools.js';
import { runDrill } from '../../src/restore/drill.js';
import { executeRestore } from '../../src/restore/execute.js';
import { prepareRestore, safetyRootFor } from '../../src/restore/plan.js';
import { checkRequirement, startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { actionLayer, tempDir } from './helpers.js';

const PASSWORD = 'Pw-restore-8d2f-secret';

/** Every command line on the machine that contains `needle`. */
function cmdlinesWith(needle: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
      if (cmd.includes(needle)) hits.push(`${pid}: ${cmd}`);
    } catch {
      // the process ended meanwhile
    }
  }
  return hits;
}

describe.skipIf(!checkRequirement('postgres').ok)('over a password login', () => {
  let pgs: PgSandbox;
  let conn: PgTarget;
  let root: { dir: string; remove: () => void };

  beforeAll(async () => {
    pgs = await startPostgres({ database: 'itsm_db', password: { user: 'opsadmin', password: PASSWORD } });
    const admin = new pg.Client({ connectionString: pgs.adminUrl });
    await admin.connect();
    await admin.query('ALTER ROLE opsadmin SUPERUSER');
    await admin.end();
    conn = { host: '127.0.0.1', port: pgs.port, user: 'opsadmin', password: PASSWORD, database: 'itsm_db' };
    const c = new pg.Client({ ...conn });
    await c.connect();
    await c.query(
      `CREATE TABLE incidents (id serial PRIMARY KEY, title text); ` +
        `INSERT INTO incidents (title) SELECT 'i' || g FROM generate_series(1, 500) g`,
    );
    await c.end();
    root = tempDir('pw');
  });
  afterAll(async () => {
    root?.remove();
    await pgs?.stop();
  });

  it('restores and drills without the password in any argv or step text', async () => {
    const file = (
      await runBackupJob(pgBackupJob({ root: root.dir, target: conn, kind: 'full', format: 'custom' }), {
        skipPreflight: true,
      })
    ).path;
    const c = new pg.Client({ ...conn });
    await c.connect();
    await c.query('DELETE FROM incidents WHERE id > 100');
    await c.end();

    const leaks: string[] = [];
    const { restore, report } = await prepareRestore({
      backup: file,
      database: 'itsm_db',
      conn,
      safetyRoot: safetyRootFor(root.dir),
    });
    expect(report.checks.filter((x) => x.status === 'fail')).toEqual([]);
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirmAt: 'start',
      confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
      onUpdate: () => leaks.push(...cmdlinesWith(PASSWORD)),
    });
    expect(out.result).toBe('succeeded');
    const drill = await runDrill({
      backup: file,
      conn,
      guard,
      audit,
      onUpdate: () => leaks.push(...cmdlinesWith(PASSWORD)),
    });
    expect(drill.result).toBe('succeeded');

    expect(leaks).toEqual([]);
    expect(JSON.stringify(out)).not.toContain(PASSWORD);
    expect(JSON.stringify(drill)).not.toContain(PASSWORD);
    expect(JSON.stringify(audit.entries)).not.toContain(PASSWORD);
    expect(out.steps.find((s) => s.id === 'load')!.description.text).toContain('PGPASSWORD=***');
    const check = new pg.Client({ ...conn });
    await check.connect();
    expect((await check.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n).toBe(500);
    await check.end();
  });
});
