// The password reaches pg_dump through its environment only: never in its argv (what every local
// user sees in /proc/<pid>/cmdline and `ps`), never in a plan description or an error message.
// Its own server: this one requires a password for the app role over TCP.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { pgBackupPlan } from '../../src/backup/plans.js';
import { BackupError } from '../../src/backup/types.js';
import { formatPlan } from '../../src/plan/plan.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { unavailable } from '../helpers/services.js';
import { BIG, tempDir } from './helpers.js';

const PASSWORD = 'Tr0ub4dor-and-3';

describe.skipIf(unavailable('postgres'))('backup credentials', () => {
  let server: PgSandbox;
  let root: { dir: string; remove: () => void };
  const target = (password = PASSWORD) => ({
    host: server.host,
    port: server.port,
    user: 'app',
    database: 'appdb',
    password,
  });

  beforeAll(async () => {
    server = await startPostgres({ database: 'appdb', password: { user: 'app', password: PASSWORD } });
    const pg = await import('pg');
    const c = new pg.default.Client({ connectionString: server.url });
    await c.connect();
    for (const s of BIG) await c.query(s);
    await c.end();
    root = tempDir('pw');
  });
  afterAll(async () => {
    root?.remove();
    await server?.stop();
  });

  it('pg_dump runs with the password in its environment and not in /proc/<pid>/cmdline', async () => {
    let cmdline = '';
    let environ = '';
    let argv: readonly string[] = [];
    const rec = await runBackupJob(
      pgBackupJob({
        root: root.dir,
        target: target(),
        kind: 'full',
        format: 'plain',
        onSpawn: (pid, a) => {
          argv = a;
          // Read while it runs (synchronously, before pg_dump can have finished 40 MB).
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        },
      }),
    );
    expect(rec.meta.verify.ok).toBe(true);
    expect(cmdline).toContain('pg_dump');
    expect(cmdline).toContain('--format=plain');
    expect(cmdline).not.toContain(PASSWORD);
    expect(argv.join(' ')).not.toContain(PASSWORD);
    expect(environ.split('\0')).toContain(`PGPASSWORD=${PASSWORD}`);
    expect(JSON.stringify(rec.meta)).not.toContain(PASSWORD);
  });

  it('the plan shown to the operator and the audit trail masks it', () => {
    const { plan } = pgBackupPlan({ root: root.dir, target: target(), kind: 'full', format: 'custom' });
    const text = formatPlan(plan).join('\n');
    expect(text).toContain('PGPASSWORD=***');
    expect(text).not.toContain(PASSWORD);
  });

  it('a wrong password fails the backup without printing either password', async () => {
    const wrong = 'not-the-Password-9';
    const err = await runBackupJob(
      pgBackupJob({ root: root.dir, target: target(wrong), kind: 'full', format: 'plain' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect((err as BackupError).failure).toBe('source');
    expect((err as BackupError).message).toMatch(/password authentication failed/);
    expect((err as BackupError).message).not.toContain(wrong);
    expect((err as BackupError).message).not.toContain(PASSWORD);
  });
});
