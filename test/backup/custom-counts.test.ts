// Custom-format backups count every table with count(*) in the dump's exported snapshot, beside
// pg_dump (nothing runs inside pg_dump): on awkward names and data the counts equal count(*) and
// the rows the archive holds; rows committed after the snapshot was exported are not counted,
// even when the count runs after they were; a backup cancelled while a count is stuck ends at
// once and ends its snapshot transaction.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CopyRowCounter, tableKey } from '../../src/backup/copy-count.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { findPgTool } from '../../src/backup/pg-tools.js';
import { readSidecar } from '../../src/backup/sidecar.js';
import { BackupError } from '../../src/backup/types.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { postgresService, unavailable } from '../helpers/services.js';
import {
  AWKWARD,
  createDatabase,
  dropDatabase,
  filesUnder,
  seededDatabase,
  sql,
  tablesAndCounts,
  targetFor,
  tempDir,
} from './helpers.js';

/** Rows per table that the archive itself holds (pg_restore's script, COPY blocks counted), keyed by raw names. */
function archiveRows(file: string): Map<string, number> {
  const r = spawnSync(findPgTool('pg_restore'), ['--data-only', '--file=-', file], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`pg_restore failed: ${r.stderr.toString()}`);
  const counter = new CopyRowCounter();
  counter.push(r.stdout);
  return counter.result().counts;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A session of its own on `db` (the test's lock holder, or its window on pg_stat_activity). */
async function session(db: string): Promise<pg.Client> {
  const s = postgresService();
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, database: db });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** The pid of the backend whose count(*) is waiting for a lock on `db`, once there is one. */
const countWaitingOnLock = (watch: pg.Client, db: string) => async (): Promise<number | undefined> =>
  (
    await watch.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '%count(*)%'`,
      [db],
    )
  ).rows[0]?.pid;

describe.skipIf(unavailable('postgres'))('custom-format row counts: count(*) in the exported snapshot', () => {
  const fx = seededDatabase('bk_custom_counts', AWKWARD, 'custom-counts');

  for (const kind of ['full', 'data'] as const) {
    it(`${kind}: every table's count equals count(*) and the rows the archive holds`, async () => {
      const r = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind, format: 'custom' }));
      const tables = await tablesAndCounts(fx.db);
      expect(tables.length).toBeGreaterThan(8);
      expect(r.meta.rowCountMethod).toBe('exported-snapshot');
      expect(r.meta.rowCounts).toEqual(Object.fromEntries(tables.map((t) => [t.key, t.n])));
      expect(r.meta.rowCounts!['"Odd Schema"."T"']).toBe(7);
      expect(r.meta.rowCounts!['public.empty_t']).toBe(0);
      // The sidecar read back says the same, and so does the archive's own data.
      expect((await readSidecar(r.path)).rowCounts).toEqual(r.meta.rowCounts);
      const held = archiveRows(r.path);
      for (const t of tables) expect(held.get(tableKey(t.schema, t.table)) ?? 0, t.key).toBe(t.n);
      expect((await verifyBackup(r.path, { deep: true })).ok).toBe(true);
    });
  }

  it('a table name with a newline is counted', async () => {
    const db = await createDatabase('bk_custom_nl');
    try {
      await sql(
        db,
        `CREATE TABLE public."new\nline" (id int)`,
        `INSERT INTO public."new\nline" SELECT generate_series(1, 9)`,
        `CREATE TABLE public.t (id int)`,
        `INSERT INTO public.t SELECT generate_series(1, 42)`,
      );
      const r = await runBackupJob(
        pgBackupJob({ root: fx.root, target: targetFor(db), kind: 'full', format: 'custom' }),
      );
      expect(r.meta.rowCountMethod).toBe('exported-snapshot');
      expect(r.meta.rowCounts).toEqual({ 'public."new\nline"': 9, 'public.t': 42 });
    } finally {
      await dropDatabase(db);
    }
  });

  it('rows committed mid-dump, after the snapshot export, are not counted — though the count runs later', async () => {
    const db = await createDatabase('bk_custom_snap');
    const holder = await session(db);
    const watch = await session(db);
    try {
      await sql(
        db,
        `CREATE TABLE public.t (id int)`,
        `INSERT INTO public.t SELECT generate_series(1, 1000)`,
        `CREATE TABLE public.gate (id int)`,
      );
      // Holding the gate keeps both pg_dump and our count(*) (one statement for every table)
      // waiting until after the late rows are committed.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE public.gate IN ACCESS EXCLUSIVE MODE');
      const backup = runBackupJob(
        pgBackupJob({ root: fx.root, target: targetFor(db), kind: 'full', format: 'custom' }),
      );
      backup.catch(() => undefined);
      await until(countWaitingOnLock(watch, db), 'the count(*) to wait for the gate');
      await holder.query('INSERT INTO public.t SELECT generate_series(1001, 1100)');
      await holder.query('COMMIT');
      const r = await backup;
      expect((await sql(db, 'SELECT count(*)::int AS n FROM public.t'))[0]!.rows[0]).toEqual({ n: 1100 });
      expect(r.meta.rowCountMethod).toBe('exported-snapshot');
      expect(r.meta.rowCounts).toEqual({ 'public.gate': 0, 'public.t': 1000 });
      // pg_dump read the same snapshot: the archive holds exactly the counted rows.
      expect(archiveRows(r.path).get(tableKey('public', 't'))).toBe(1000);
    } finally {
      await holder.end();
      await watch.end();
      await dropDatabase(db);
    }
  });

  // Over TCP and over the Unix socket: the cancel request goes to the server the way the session did.
  it.each(['tcp', 'socket'] as const)(
    'cancelled while its count(*) waits for a lock (%s): ' +
      'the backup ends at once, with nothing left and its snapshot transaction ended',
    async (via) => {
      const db = await createDatabase('bk_custom_cancel');
      const holder = await session(db);
      const watch = await session(db);
      const t = tempDir('custom-cancel');
      try {
        await sql(db, `CREATE TABLE public.t (id int)`, `INSERT INTO public.t SELECT generate_series(1, 10)`);
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE');
        const ac = new AbortController();
        const target = via === 'tcp' ? targetFor(db) : { ...targetFor(db), host: postgresService().socketDir };
        const backup = runBackupJob(pgBackupJob({ root: t.dir, target, kind: 'full', format: 'custom' }), {
          signal: ac.signal,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        const pid = await until(countWaitingOnLock(watch, db), 'the count(*) to wait for the lock');
        ac.abort();
        // The lock is still held: without cancelling its count the backup could never end.
        const err = await backup;
        expect(err).toBeInstanceOf(BackupError);
        expect((err as BackupError).failure).toBe('cancelled');
        expect(filesUnder(t.dir)).toEqual([]);
        await until(
          async () =>
            (await watch.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0
              ? true
              : undefined,
          'the counting backend to go',
        );
      } finally {
        await holder.end();
        await watch.end();
        await dropDatabase(db);
        t.remove();
      }
    },
  );

  it('the built command writes it the same way (`opsdeck backup --format custom`)', async () => {
    const t = tempDir('custom-cli');
    try {
      const s = postgresService();
      const root = path.join(t.dir, 'backups');
      const config = path.join(t.dir, 'opsdeck.yaml');
      writeFileSync(
        config,
        [
          `targets: { postgres: { host: ${s.host}, port: ${s.port}, user: ${s.user}, database: ${s.database} } }`,
          `audit: { path: ${path.join(t.dir, 'audit.jsonl')} }`,
          `backups: { dir: ${root}, databases: [${fx.db}] }`,
        ].join('\n'),
      );
      const r = spawnSync(
        process.execPath,
        [path.resolve('bin/opsdeck.js'), '--config', config, 'backup', '--db', fx.db, '--format', 'custom'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const dir = path.join(root, 'postgres', fx.db);
      const dump = readdirSync(dir).find((f) => f.endsWith('.dump'));
      expect(dump).toBeDefined();
      const meta = await readSidecar(path.join(dir, dump!));
      expect(meta.rowCountMethod).toBe('exported-snapshot');
      expect(meta.rowCounts).toEqual(Object.fromEntries((await tablesAndCounts(fx.db)).map((x) => [x.key, x.n])));
    } finally {
      t.remove();
    }
  });
});
