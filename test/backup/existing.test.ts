// Backups another tool writes (backups.existing), against directories laid out by the manuals'
// own pipelines on the shared PostgreSQL (existing-fixtures.ts): every layout is recognised with
// the right kind, source and time; `opsdeck backups [--json]` lists them with their origin; prune
// never plans or deletes them; and every file there is byte-for-byte (and mtime) unchanged after
// listing and pruning.
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanCatalog, type CatalogEntry } from '../../src/backup/catalog.js';
import { EXISTING_PROBLEM, recogniseExisting, type ExistingDir } from '../../src/backup/existing.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { deleteBackup, pruneReport } from '../../src/backup/prune.js';
import { retentionPolicy } from '../../src/backup/retention.js';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { loadConfig } from '../../src/config/resolve.js';
import { postgresService, unavailable } from '../helpers/services.js';
import { fingerprint, makeExistingDirs, type ExistingFixture } from './existing-fixtures.js';
import { createDatabase, dropDatabase, filesUnder, SEED, sql, targetFor, tempDir } from './helpers.js';

const local = (y: number, mo: number, d: number, h: number, mi = 0, s = 0): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('recogniseExisting (names only)', () => {
  it.each([
    ['full_backup_20260101_020000.sql.gz', 'flat', 'itsm', 'full', 'plain'],
    ['diff_backup_20260101_020000.sql.gz', 'flat', 'itsm', 'data', 'plain'],
    ['database_20260103_030000.sql.gz', 'knowledge', 'knowledge', 'full', 'plain'],
    ['data_20260103_030000.tar.gz', 'knowledge', 'knowledge', 'files', 'tar'],
    ['letsencrypt_20260103_030000.tar.gz', 'knowledge', 'knowledge', 'files', 'tar'],
    ['env.production_20260103_030000', 'knowledge', 'knowledge', 'files', 'file'],
    ['database_20260103_030000.sql.gz', 'flat', 'generic', 'full', 'plain'],
    ['x.sql', 'flat', 'generic', 'full', 'plain'],
    ['a.backup', 'flat', 'generic', 'full', 'custom'],
    ['site.tgz', 'flat', 'generic', 'files', 'tar'],
  ] as const)('%s in a %s directory: %s %s %s', (name, context, layout, kind, format) => {
    expect(recogniseExisting(name, context)).toMatchObject({ layout, kind, format });
  });

  it.each(['backup.log', 'env.production', 'full_backup_20261340_020000.sql.gz.tmp', 'data.tar'])(
    'ignores %s',
    (name) => expect(recogniseExisting(name, 'flat')).toBeUndefined(),
  );

  it('takes the time from the name; none when the name has no valid stamp', () => {
    expect(recogniseExisting('app-20251201-010203.dump', 'flat')?.at?.getTime()).toBe(local(2025, 12, 1, 1, 2, 3));
    expect(recogniseExisting('full_backup_20261340_020000.sql.gz', 'flat')).toMatchObject({ layout: 'generic' });
    expect(recogniseExisting('full_backup_20261340_020000.sql.gz', 'flat')?.at).toBeUndefined();
    expect(recogniseExisting('site-20250307.tgz', 'flat')?.at?.getTime()).toBe(local(2025, 3, 7, 0));
    expect(recogniseExisting('dump-123456789012345.sql', 'flat')?.at).toBeUndefined();
  });
});

describe.skipIf(unavailable('postgres'))('existing backups on disk', () => {
  let db: string;
  let tmp: { dir: string; remove: () => void };
  let fx: ExistingFixture;
  let root: string;
  let configPath: string;
  let existing: ExistingDir[];
  let before: Record<string, string>;

  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let code = 0;
    let out = '';
    let err = '';
    const program = new Command('opsdeck').option('--read-only').exitOverride();
    registerBackupCommands(program, {
      loadConfig: () => loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false }),
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      setCode: (c) => (code = c),
    });
    await program.parseAsync(args, { from: 'user' });
    return { code, out, err };
  };

  beforeAll(async () => {
    db = await createDatabase('bk_existing');
    await sql(db, ...SEED);
    tmp = tempDir('existing');
    root = path.join(tmp.dir, 'opsdeck');
    fx = await makeExistingDirs(tmp.dir, db);
    existing = [
      { dir: fx.itsm, database: db, name: 'itsm' },
      { dir: fx.knowledge, database: db },
      { dir: fx.generic, database: db, name: 'other' },
    ];
    const s = postgresService();
    const { writeFileSync } = await import('node:fs');
    configPath = path.join(tmp.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      [
        `targets: { postgres: { host: ${s.host}, port: ${s.port}, user: ${s.user}, database: ${s.database} } }`,
        `audit: { path: ${path.join(tmp.dir, 'audit.jsonl')} }`,
        `backups:`,
        `  dir: ${root}`,
        `  databases: [${db}]`,
        `  retention: { preset: itsm }`,
        `  existing:`,
        ...existing.map((e) => `    - { dir: ${e.dir}, database: ${e.database}${e.name ? `, name: ${e.name}` : ''} }`),
      ].join('\n'),
    );
    before = fingerprint([fx.itsm, fx.knowledge, fx.generic]);
  }, 120_000);
  afterAll(async () => {
    tmp?.remove();
    if (db) await dropDatabase(db);
  });

  const byFile = (entries: readonly CatalogEntry[], file: string): CatalogEntry => {
    const e = entries.find((x) => x.file === file);
    if (!e) throw new Error(`${file} not listed; listed: ${entries.map((x) => x.file).join(', ')}`);
    return e;
  };

  it('recognises every layout with the right kind, source, time and origin; none counted as verified', async () => {
    const catalog = await scanCatalog(root, undefined, { existing });
    const e = catalog.entries;
    const expectEntry = (file: string, want: Record<string, unknown>, dir: string, layout: string): void =>
      expect(byFile(e, file)).toMatchObject({
        ...want,
        origin: 'existing',
        existing: { dir, layout },
        verified: false,
        problem: EXISTING_PROBLEM,
      });
    const pg = { type: 'postgres', name: db };
    expectEntry(
      'full_backup_20260101_020000.sql.gz',
      { kind: 'full', format: 'plain', source: pg, sourceKey: db, time: local(2026, 1, 1, 2) },
      fx.itsm,
      'itsm',
    );
    expectEntry(
      'diff_backup_20260102_020000.sql.gz',
      { kind: 'data', format: 'plain', sourceKey: db, time: local(2026, 1, 2, 2) },
      fx.itsm,
      'itsm',
    );
    expectEntry(
      'database_20260103_030000.sql.gz',
      { kind: 'full', format: 'plain', source: pg, time: local(2026, 1, 3, 3) },
      fx.knowledge,
      'knowledge',
    );
    expectEntry(
      'database_20251228_020000.sql.gz',
      { kind: 'full', time: local(2025, 12, 28, 2) },
      fx.knowledge,
      'knowledge',
    );
    expectEntry(
      'data_20260103_030000.tar.gz',
      { kind: 'files', format: 'tar', sourceKey: 'files:data', time: local(2026, 1, 3, 3) },
      fx.knowledge,
      'knowledge',
    );
    expectEntry(
      'env.production_20260103_030000',
      { kind: 'files', format: 'file', sourceKey: 'files:env.production', time: local(2026, 1, 3, 3) },
      fx.knowledge,
      'knowledge',
    );
    expectEntry(
      'letsencrypt_20260103_030000.tar.gz',
      { kind: 'files', format: 'tar', sourceKey: 'files:letsencrypt' },
      fx.knowledge,
      'knowledge',
    );
    expectEntry('nightly.sql', { kind: 'full', format: 'plain', time: fx.noStampMtime }, fx.generic, 'generic');
    expect(byFile(e, 'nightly.sql').existing?.timeFrom).toBe('mtime');
    expect(byFile(e, 'full_backup_20260101_020000.sql.gz').existing?.timeFrom).toBe('name');
    expectEntry(
      'app-20251201-010203.dump',
      { kind: 'full', format: 'custom', time: local(2025, 12, 1, 1, 2, 3) },
      fx.generic,
      'generic',
    );
    expectEntry(
      'uploads_20251202.tar.gz',
      { kind: 'files', format: 'tar', sourceKey: 'files:uploads', time: local(2025, 12, 2, 0) },
      fx.generic,
      'generic',
    );

    // Not backups, or not where the script puts them: not listed.
    const files = e.map((x) => x.file);
    expect(files).not.toContain('backup.log');
    expect(files).not.toContain('database_20260104_030000.sql.gz'); // daily/latest/ is no YYYYMMDD directory
    expect(files).not.toContain('notes.backup');
    expect(catalog.problems).toEqual([
      `${path.join(fx.generic, 'notes.backup')}: named like a custom dump but ` +
        'does not start with PGDMP: not listed',
    ]);
    expect(e).toHaveLength(10);
    expect(e.map((x) => x.time)).toEqual([...e.map((x) => x.time)].sort((a, b) => b - a));

    // Real dumps: the sizes are those of the files the pipelines wrote.
    expect(byFile(e, 'full_backup_20260101_020000.sql.gz').size).toBeGreaterThan(1000);
  });

  it("without backups.existing the catalog is opsdeck's own only, as before", async () => {
    await runBackupJob(pgBackupJob({ root, target: targetFor(db), kind: 'full', format: 'plain' }));
    const own = await scanCatalog(root);
    expect(own.entries.map((x) => [x.origin, x.verified])).toEqual([['opsdeck', true]]);
    const both = await scanCatalog(root, undefined, { existing });
    expect(both.entries.filter((x) => x.origin === 'opsdeck')).toHaveLength(1);
    expect(both.entries.filter((x) => x.verified).map((x) => x.origin)).toEqual(['opsdeck']);
  });

  it('opsdeck backups: an ORIGIN column, and origin/existingDir/existingLayout in --json', async () => {
    const t = await run(['backups']);
    expect(t.code).toBe(0);
    expect(t.out.split('\n')[0]).toMatch(/^TIME\s+KIND\s+SOURCE\s+ORIGIN\s+SIZE\s+AGE\s+VERIFIED\s+LAST DRILL\s+FILE$/);
    expect(t.out).toMatch(
      new RegExp(`full\\s+${db}\\s+existing itsm \\(itsm\\)\\s+.*NO: not verified yet \\(no sidecar: written by`),
    );
    expect(t.out).toMatch(new RegExp(`existing ${db} \\(knowledge\\).*env\\.production_20260103_030000`));
    expect(t.out).toMatch(new RegExp(`full\\s+${db}\\s+opsdeck\\s+.*yes\\s+never\\s+full_backup_`));
    const j = JSON.parse((await run(['backups', '--json'])).out) as {
      backups: Record<string, unknown>[];
      problems: string[];
    };
    expect(j.backups).toHaveLength(11);
    const itsm = j.backups.find((b) => b.file === 'full_backup_20260101_020000.sql.gz' && b.origin === 'existing');
    expect(itsm).toMatchObject({
      path: path.join(fx.itsm, 'full_backup_20260101_020000.sql.gz'),
      source: db,
      sourceType: 'postgres',
      kind: 'full',
      format: 'plain',
      time: new Date(local(2026, 1, 1, 2)).toISOString(),
      verified: false,
      lastVerify: null,
      problem: EXISTING_PROBLEM,
      origin: 'existing',
      existingDir: fx.itsm,
      existingLayout: 'itsm',
    });
    const own = j.backups.find((b) => b.origin === 'opsdeck');
    expect(own).toMatchObject({ verified: true, existingDir: null, existingLayout: null });
    expect(j.backups.find((b) => b.file === 'env.production_20260103_030000')).toMatchObject({
      source: 'files:env.production',
      format: 'file',
      existingLayout: 'knowledge',
    });
  });

  it('prune never plans them, even past every retention, and refuses to delete one', async () => {
    const catalog = await scanCatalog(root, undefined, { existing });
    for (const preset of ['itsm', 'gfs'] as const) {
      const report = pruneReport(catalog, retentionPolicy({ preset }), local(2035, 1, 1, 0));
      expect(report.decisions.map((d) => d.entry.origin)).toEqual(['opsdeck']);
    }
    const one = byFile(catalog.entries, 'full_backup_20260101_020000.sql.gz');
    await expect(deleteBackup(fx.itsm, one)).rejects.toThrow(/written by another tool/);
  });

  it("opsdeck prune --yes deletes opsdeck's own old backup and nothing of the existing directories", async () => {
    const now = Date.now();
    await runBackupJob(
      pgBackupJob({
        root,
        target: targetFor(db),
        kind: 'data',
        format: 'plain',
        now: () => new Date(now - 40 * 864e5),
      }),
    );
    await runBackupJob(pgBackupJob({ root, target: targetFor(db), kind: 'data', format: 'plain' }));
    const dry = await run(['prune', '--dry-run']);
    expect(dry.out).toMatch(/^DELETE .* past the 30-day limit for data-only backups$/m);
    expect(dry.out).not.toContain(fx.itsm);
    expect(dry.out).not.toMatch(/database_2026|env\.production_|nightly\.sql/);
    const ownBefore = filesUnder(root).length;
    const yes = await run(['prune', '--yes']);
    expect(yes.code).toBe(0);
    expect(filesUnder(root).length).toBe(ownBefore - 2); // the old backup and its sidecar
  });

  it('every file of the existing directories is byte-for-byte unchanged after listing and pruning', async () => {
    await run(['backups']);
    await run(['backups', '--json']);
    expect(fingerprint([fx.itsm, fx.knowledge, fx.generic])).toEqual(before);
    expect(Object.keys(before)).toHaveLength(13); // 10 listed, backup.log, notes.backup, daily/latest/…
  });
});
