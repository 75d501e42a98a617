// The restore against the real PostgreSQL: a backup, damage, a restore, and every row of every
// table is back (a checksum, not only counts); a broken backup is refused before anything changes.
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSidecar } from '../../src/backup/sidecar.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { executeRestore } from '../../src/restore/execute.js';
import { prepareRestore, safetyRootFor } from '../../src/restore/plan.js';
import type { ConfirmRequest, RestoreSnapshot } from '../../src/restore/types.js';
import { unavailable } from '../helpers/services.js';
import {
  actionLayer,
  backup,
  checksum,
  createDatabase,
  DAMAGE,
  dropDatabase,
  SEED,
  server,
  sql,
  tempDir,
} from './helpers.js';

describe.skipIf(unavailable('postgres'))('restore', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;
  let original: Record<string, string>;

  beforeAll(async () => {
    db = await createDatabase('rs_main');
    await sql(db, ...SEED);
    root = tempDir('main');
    file = await backup(root.dir, db);
    original = await checksum(db);
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });

  const prepare = (backupFile: string, database = db) =>
    prepareRestore({
      backup: backupFile,
      database,
      conn: server(),
      safetyRoot: safetyRootFor(root.dir),
      catalogRoot: root.dir,
      verifyQueries: [{ sql: 'SELECT count(*) FROM incidents', expect: '3000' }],
    });

  it('puts back every row of every table after the data was damaged', async () => {
    await sql(db, ...DAMAGE);
    expect(await checksum(db)).not.toEqual(original);
    const { report, restore } = await prepare(file);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(restore!.plan.steps.map((s) => s.id)).toEqual([
      'stop-services',
      'terminate',
      'safety-dump',
      'recreate',
      'load',
      'grant',
      'verify',
      'start-services',
      'health-check',
    ]);
    const asked: ConfirmRequest[] = [];
    const updates: RestoreSnapshot[] = [];
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirm: async (q) => (asked.push(q), q.kind === 'type' ? q.expect : 'y'),
      onUpdate: (s) => updates.push(s),
    });

    expect(out.result).toBe('succeeded');
    expect(out.db.kind).toBe('restored');
    expect(await checksum(db)).toEqual(original);
    expect(asked.map((q) => `${q.stage}:${q.kind}`)).toEqual(['start:yes', 'drop:type']);
    expect(out.comparison!.ok).toBe(true);
    expect(out.comparison!.rows).toContainEqual({
      name: 'public.incidents',
      kind: 'table',
      expected: '3000',
      actual: '3000',
      ok: true,
    });
    expect(out.comparison!.rows.find((r) => r.kind === 'query')).toMatchObject({
      expected: '3000',
      actual: '3000',
      ok: true,
    });
    expect(out.steps.every((s) => s.status === 'done')).toBe(true);
    // The load step reported byte progress up to the whole file.
    const load = out.steps.find((s) => s.id === 'load')!;
    expect(load.progress).toMatchObject({ unit: 'bytes', done: load.progress!.total });
    expect(updates.some((u) => u.phase === 'confirming' && u.pending?.stage === 'drop')).toBe(true);

    // The safety dump holds the damaged data, verified like any backup, outside the catalog's directories.
    expect(out.safetyDump).toMatch(new RegExp(`^${root.dir}/before-restore/postgres/`));
    expect((await verifyBackup(out.safetyDump!, { record: false })).ok).toBe(true);
    expect((await readSidecar(out.safetyDump!)).rowCounts!['public.stray']).toBe(0);
    // The database is open again with its old connection limit.
    const [lim] = await sql('postgres', `SELECT datconnlimit FROM pg_database WHERE datname = '${db}'`);
    expect(lim!.rows[0].datconnlimit).toBe(-1);
    expect(audit.entries.map((e) => `${e.action}:${e.event}`)).toEqual([
      'restore.database:confirmed',
      'restore.database:succeeded',
      'restore.database:confirmed',
      'restore.database:succeeded',
      'restore.database:succeeded',
    ]);
    expect(out.summary[1]).toMatch(/^RESTORED: .* is restored from .* and verified/);
  });

  it('a custom-format backup restores the same data', async () => {
    const custom = await backup(root.dir, db, 'custom');
    await sql(db, ...DAMAGE);
    const { restore } = await prepare(custom);
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirmAt: 'start',
      confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
    });
    expect(out.result).toBe('succeeded');
    expect(await checksum(db)).toEqual(original);
    expect(out.steps.find((s) => s.id === 'load')!.description.text).toMatch(
      /pg_restore --no-password --exit-on-error --single-transaction '--dbname=dbname=.*'/,
    );
  });

  it('a truncated backup is refused at preflight and the database is untouched', async () => {
    await sql(db, `UPDATE users SET name = 'changed since' WHERE id = 1`);
    const before = await checksum(db);
    const cut = path.join(root.dir, 'cut', path.basename(file));
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(cut), { recursive: true }));
    copyFileSync(file, cut);
    copyFileSync(`${file}.json`, `${cut}.json`);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    const { report, restore } = await prepare(cut);
    expect(restore).toBeUndefined();
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'backup')).toMatchObject({ status: 'fail' });
    expect(await checksum(db)).toEqual(before);
    expect(existsSync(safetyRootFor(path.join(root.dir, 'cut')))).toBe(false);
  });

  it('declining at the drop leaves the data as it was and the database open', async () => {
    const before = await checksum(db);
    const { restore } = await prepare(file);
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirm: async (q) => (q.stage === 'drop' ? null : 'y'),
    });
    expect(out.result).toBe('declined');
    expect(out.db.kind).toBe('untouched');
    expect(out.recovery?.action).toBe('restore.undo');
    expect(await checksum(db)).toEqual(before);
    const [lim] = await sql('postgres', `SELECT datconnlimit FROM pg_database WHERE datname = '${db}'`);
    expect(lim!.rows[0].datconnlimit).toBe(-1);
    expect(out.steps.slice(3).every((s) => s.status === 'skipped')).toBe(true);
  });

  it('a safety dump that cannot be written ends it before the drop: database untouched and open again', async () => {
    const before = await checksum(db);
    const blocker = path.join(root.dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const { restore } = await prepareRestore({
      backup: file,
      database: db,
      conn: server(),
      safetyRoot: path.join(blocker, 'safety'),
    });
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, {
      guard,
      audit,
      confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
    });
    expect(out.result).toBe('failed');
    expect(out.steps.map((s) => s.status)).toEqual([
      'done',
      'done',
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(out.recovery).toMatchObject({ action: 'restore.undo', result: 'succeeded' });
    expect(out.db.kind).toBe('untouched');
    expect(out.summary[0]).toMatch(/^Restore FAILED at "safety dump of the current database" \(before the drop\)/);
    expect(await checksum(db)).toEqual(before);
    const [lim] = await sql('postgres', `SELECT datconnlimit FROM pg_database WHERE datname = '${db}'`);
    expect(lim!.rows[0].datconnlimit).toBe(-1);
  });

  it('Esc at the first question changes nothing at all', async () => {
    const { restore } = await prepare(file);
    const { audit, guard } = actionLayer();
    const out = await executeRestore(restore!, { guard, audit, confirm: async () => null });
    expect(out.result).toBe('declined');
    expect(out.steps.every((s) => s.status === 'skipped')).toBe(true);
    expect(out.safetyDump).toBeUndefined();
    expect(audit.entries.map((e) => e.event)).toEqual(['cancelled']);
  });

  it('read-only mode refuses the restore', async () => {
    const { restore } = await prepare(file);
    const { audit } = actionLayer();
    const out = await executeRestore(restore!, {
      guard: { check: () => ({ ok: false, reason: 'read-only mode' }) },
      audit,
      confirm: async () => 'y',
    });
    expect(out.result).toBe('refused');
    expect(out.db.kind).toBe('untouched');
  });
});
