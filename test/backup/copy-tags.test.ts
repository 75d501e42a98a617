// Custom-format backups take their row counts from the server's COPY tags, reported by the
// copy-tags library preloaded into pg_dump: on awkward names and data they equal count(*) and come
// from the library (not the count(*) fallback); a library that does not load, or none, still gives
// exact counts; the record parser, the library lookup and the preload environment on their own.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnTool } from '../../src/backup/child.js';
import { tableKey } from '../../src/backup/copy-count.js';
import { CopyTagReader, findCopyTagsLibrary, usableInPreload, withCopyTags } from '../../src/backup/copy-tags.js';
import { runBackupJob } from '../../src/backup/job.js';
import { BackupError } from '../../src/backup/types.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { readSidecar } from '../../src/backup/sidecar.js';
import { postgresService, unavailable, uniqueName } from '../helpers/services.js';
import { AWKWARD, createDatabase, dropDatabase, seededDatabase, sql, tablesAndCounts, targetFor, tempDir } from './helpers.js';

const rec = (n: number | string, query: string): string => `${n}\t${query}\0`;
const HELLO = 'opsdeck-copy-tags/1\0';

describe('CopyTagReader', () => {
  it('reads the hello and every table record, however the pipe chunked them', () => {
    const bytes = Buffer.from(
      HELLO +
        rec(1234, 'COPY public.incidents (id, title, created) TO stdout;') +
        rec(7, 'COPY "Weird Schema"."Mixed Case" (v) TO stdout;') +
        rec(0, 'COPY public.empty_t (id) TO stdout;') +
        rec(2, 'COPY public."café" (x) TO stdout;') +
        rec(9, 'COPY public."new\nline" (id) TO stdout;') +
        rec(3, 'COPY public.nocols  TO stdout;'),
    );
    for (const size of [1, 3, 7, bytes.length]) {
      const r = new CopyTagReader();
      for (let i = 0; i < bytes.length; i += size) r.push(bytes.subarray(i, i + size));
      const out = r.result();
      expect(out.loaded).toBe(true);
      expect(out.unreadable).toBe(0);
      expect(out.duplicates.size).toBe(0);
      expect(Object.fromEntries(out.counts)).toEqual({
        [tableKey('public', 'incidents')]: 1234,
        [tableKey('Weird Schema', 'Mixed Case')]: 7,
        [tableKey('public', 'empty_t')]: 0,
        [tableKey('public', 'café')]: 2,
        [tableKey('public', 'new\nline')]: 9,
        [tableKey('public', 'nocols')]: 3,
      });
    }
  });

  it('does not attribute what it cannot trust: a filtered COPY, a table seen twice, garbage, a record cut short', () => {
    const r = new CopyTagReader();
    r.push(
      Buffer.from(
        HELLO +
          rec(5, 'COPY (SELECT a FROM public.cfg WHERE a > 1) TO stdout;') +
          rec(4, 'COPY public.t (a) TO stdout;') +
          rec(6, 'COPY public.t (a) TO stdout;') +
          rec('x', 'COPY public.u (a) TO stdout;') +
          'no tab here\0' +
          '12\tCOPY public.v (a) TO std',
      ),
    );
    const out = r.result();
    expect(out.unreadable).toBe(3);
    expect([...out.duplicates]).toEqual([tableKey('public', 't')]);
    expect(out.counts.has(tableKey('public', 'u'))).toBe(false);
    expect(out.counts.has(tableKey('public', 'v'))).toBe(false);
  });

  it('without the hello first, the library did not load', () => {
    const none = new CopyTagReader().result();
    expect(none).toMatchObject({ loaded: false, unreadable: 0 });
    expect(none.counts.size).toBe(0);
    const r = new CopyTagReader();
    r.push(Buffer.from(rec(1, 'COPY public.t (a) TO stdout;') + HELLO));
    expect(r.result().loaded).toBe(false);
  });
});

describe('locating and preloading the library', () => {
  it('the build made it, next to the bundle, at a path LD_PRELOAD can carry', () => {
    const lib = findCopyTagsLibrary();
    expect(lib, 'dist/native/copy-tags.so missing: run `npm run build` with a C compiler (gcc) installed').toBeDefined();
    expect(lib!.endsWith(path.join('dist', 'native', 'copy-tags.so'))).toBe(true);
    expect(usableInPreload(lib!)).toBe(true);
  });

  it('finds it from dist/ or dist/chunks/, and refuses a path LD_PRELOAD would split', () => {
    const t = tempDir('tags-find');
    try {
      const good = path.join(t.dir, 'pkg', 'dist');
      mkdirSync(path.join(good, 'native'), { recursive: true });
      mkdirSync(path.join(good, 'chunks'));
      writeFileSync(path.join(good, 'native', 'copy-tags.so'), '');
      expect(findCopyTagsLibrary(good)).toBe(path.join(good, 'native', 'copy-tags.so'));
      expect(findCopyTagsLibrary(path.join(good, 'chunks'))).toBe(path.join(good, 'native', 'copy-tags.so'));
      const spaced = path.join(t.dir, 'my pkg', 'dist');
      mkdirSync(path.join(spaced, 'native'), { recursive: true });
      writeFileSync(path.join(spaced, 'native', 'copy-tags.so'), '');
      expect(findCopyTagsLibrary(spaced)).toBeUndefined();
      expect(findCopyTagsLibrary(path.join(t.dir, 'nowhere'))).toBeUndefined();
    } finally {
      t.remove();
    }
    expect(usableInPreload('/opt/a:b/copy-tags.so')).toBe(false);
    expect(usableInPreload('dist/native/copy-tags.so')).toBe(false);
    expect(() => pgBackupJob({ root: '/tmp', target: { host: '/tmp', port: 5432, user: 'u', database: 'd' }, kind: 'full', format: 'custom', copyTags: '/opt/my lib/copy-tags.so' })).toThrow(
      /LD_PRELOAD needs an absolute path without spaces or colons/,
    );
  });

  it('prepends to an LD_PRELOAD already set and names the fd', () => {
    expect(withCopyTags({ PATH: '/bin' }, '/x/copy-tags.so')).toEqual({ PATH: '/bin', LD_PRELOAD: '/x/copy-tags.so', OPSDECK_COPY_TAGS_FD: '3' });
    expect(withCopyTags({ LD_PRELOAD: '/lib/other.so' }, '/x/copy-tags.so').LD_PRELOAD).toBe('/x/copy-tags.so /lib/other.so');
  });

  it("a tool's error message never blames the loader's skipped-preload line", async () => {
    const t = spawnTool(
      'bash',
      ['-c', `echo "ERROR: ld.so: object '/x/copy-tags.so' from LD_PRELOAD cannot be preloaded (invalid ELF header): ignored." >&2; echo 'pg_dump: error: connection failed' >&2; exit 1`],
      process.env,
      'ignore',
    );
    await t.exited;
    expect(t.stderrTail()).toEqual(['pg_dump: error: connection failed']);
  });

  it('fd 3 reaches the caller completely before the exit resolves', async () => {
    const chunks: Buffer[] = [];
    const t = spawnTool('bash', ['-c', 'for i in $(seq 1 2000); do printf "%s\\0" "$i" >&3; done'], process.env, 'ignore', (b) => chunks.push(b));
    const exit = await t.exited;
    expect(exit.code).toBe(0);
    const got = Buffer.concat(chunks).toString().split('\0');
    expect(got).toHaveLength(2001);
    expect(got[1999]).toBe('2000');
  });
});

describe.skipIf(unavailable('postgres'))('custom-format row counts from the COPY tags', () => {
  const fx = seededDatabase('bk_tags', AWKWARD, 'tags');

  for (const kind of ['full', 'data'] as const) {
    it(`${kind}: every table's count comes from the library and equals count(*)`, async () => {
      const r = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind, format: 'custom' }));
      const tables = await tablesAndCounts(fx.db);
      expect(tables.length).toBeGreaterThan(8);
      // Only when every table came from a tag (none from count(*)) is the method dump-copy-tag.
      expect(r.meta.rowCountMethod).toBe('dump-copy-tag');
      expect(r.meta.rowCounts).toEqual(Object.fromEntries(tables.map((t) => [t.key, t.n])));
      expect(r.meta.verify?.ok).toBe(true);
      // The archive pg_dump wrote with the library loaded reads back in full.
      expect((await verifyBackup(r.path, { deep: true })).ok).toBe(true);
    });
  }

  it('a table name with a newline, which the plain stream cannot read, is counted from its tag', async () => {
    const db = await createDatabase('bk_tags_nl');
    try {
      await sql(db, `CREATE TABLE public."new\nline" (id int)`, `INSERT INTO public."new\nline" SELECT generate_series(1, 9)`, `CREATE TABLE public.t (id int)`, `INSERT INTO public.t SELECT generate_series(1, 42)`);
      const r = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(db), kind: 'full', format: 'custom' }));
      expect(r.meta.rowCountMethod).toBe('dump-copy-tag');
      expect(r.meta.rowCounts).toEqual({ 'public."new\nline"': 9, 'public.t': 42 });
    } finally {
      await dropDatabase(db);
    }
  });

  it("pg_dump's own error is what the operator reads, not the loader's line about a library it skipped", async () => {
    const t = tempDir('tags-err');
    const role = uniqueName('bk_tags_noperm');
    await sql(fx.db, `CREATE ROLE ${role} LOGIN`);
    try {
      const broken = path.join(t.dir, 'copy-tags.so');
      writeFileSync(broken, 'not an ELF file\n');
      const err = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db, role), kind: 'full', format: 'custom', copyTags: broken })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackupError);
      expect((err as BackupError).failure).toBe('dump_failed');
      expect((err as BackupError).message).toMatch(/pg_dump exited with code 1: .*permission denied/);
      expect((err as BackupError).message).not.toMatch(/ld\.so|LD_PRELOAD/);
    } finally {
      await sql(fx.db, `DROP ROLE ${role}`);
      t.remove();
    }
  });

  it('the built command finds the library from its bundle (`opsdeck backup --format custom`)', async () => {
    const t = tempDir('tags-cli');
    try {
      const s = postgresService();
      const root = path.join(t.dir, 'backups');
      const config = path.join(t.dir, 'opsdeck.yaml');
      writeFileSync(
        config,
        [`targets: { postgres: { host: ${s.host}, port: ${s.port}, user: ${s.user}, database: ${s.database} } }`, `audit: { path: ${path.join(t.dir, 'audit.jsonl')} }`, `backups: { dir: ${root}, databases: [${fx.db}] }`].join('\n'),
      );
      const r = spawnSync(process.execPath, [path.resolve('bin/opsdeck.js'), '--config', config, 'backup', '--db', fx.db, '--format', 'custom'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const dir = path.join(root, 'postgres', fx.db);
      const dump = readdirSync(dir).find((f) => f.endsWith('.dump'));
      expect(dump).toBeDefined();
      const meta = await readSidecar(path.join(dir, dump!));
      expect(meta.rowCountMethod).toBe('dump-copy-tag');
      expect(meta.rowCounts).toEqual(Object.fromEntries((await tablesAndCounts(fx.db)).map((x) => [x.key, x.n])));
    } finally {
      t.remove();
    }
  });

  it('a library that does not load, or none at all: the same exact counts, by count(*) in the snapshot', async () => {
    const t = tempDir('tags-broken');
    try {
      const broken = path.join(t.dir, 'copy-tags.so');
      writeFileSync(broken, 'not an ELF file\n');
      chmodSync(broken, 0o755);
      const tables = await tablesAndCounts(fx.db);
      const want = Object.fromEntries(tables.map((x) => [x.key, x.n]));
      for (const copyTags of [broken, false] as const) {
        const r = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind: 'full', format: 'custom', copyTags }));
        expect(r.meta.rowCountMethod, String(copyTags)).toBe('exported-snapshot');
        expect(r.meta.rowCounts).toEqual(want);
        expect(r.meta.verify?.ok).toBe(true);
      }
    } finally {
      t.remove();
    }
  });
});
