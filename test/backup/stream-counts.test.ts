// Plain backups count rows in pg_dump's stream: on a database with awkward names and data, the
// recorded counts equal count(*), and they really come from the stream (not the count(*) fallback).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CopyRowCounter, tableKey } from '../../src/backup/copy-count.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { unavailable } from '../helpers/services.js';
import { AWKWARD, createDatabase, dropDatabase, seededDatabase, sql, tablesAndCounts, targetFor } from './helpers.js';

describe.skipIf(unavailable('postgres'))('row counts from the plain dump stream', () => {
  const fx = seededDatabase('bk_stream', AWKWARD, 'stream');
  for (const kind of ['full', 'data'] as const) {
    it(`${kind}: every table's COPY block is found under the server's own name; its rows equal count(*)`, async () => {
      const rec = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind, format: 'plain' }));
      const tables = await tablesAndCounts(fx.db);
      expect(tables.map((t) => t.key)).toEqual(
        expect.arrayContaining([
          '"Odd Schema"."T"',
          'other."quo""te d"',
          'public."order"',
          'public."café"',
          'public.empty_t',
          'public.nocols',
          'public."m_2024 EU"',
          'public.m_2024_other',
          'public.m_2025',
        ]),
      );
      expect(rec.meta.rowCountMethod).toBe('dump-stream');
      expect(rec.meta.rowCounts).toEqual(Object.fromEntries(tables.map((t) => [t.key, t.n])));
      expect(rec.meta.rowCounts!['public.empty_t']).toBe(0);
      expect(rec.meta.rowCounts!['"Odd Schema"."T"']).toBe(7);

      // Straight from the file: the counter finds every table by itself (no count(*) fallback was needed).
      const counter = new CopyRowCounter();
      counter.push(gunzipSync(readFileSync(rec.path)));
      const seen = counter.result();
      expect(seen.duplicates.size + seen.unreadable).toBe(0);
      expect(seen.truncated).toBe(false);
      for (const t of tables) expect(seen.counts.get(tableKey(t.schema, t.table)), t.key).toBe(t.n);
    });
  }

  it('COPY-like schema text or an unreadable name still yields exact counts (count(*) for those tables)', async () => {
    const spoof = await createDatabase('bk_spoof');
    try {
      await sql(
        spoof,
        `CREATE TABLE public.t (id int)`,
        `INSERT INTO public.t SELECT generate_series(1, 42)`,
        `CREATE TABLE public.u (id int)`,
        `INSERT INTO public.u SELECT generate_series(1, 5)`,
        // A function body with a complete fake data block for t, and one without an end for u.
        `CREATE FUNCTION f() RETURNS text LANGUAGE sql AS ` +
          `$f$ SELECT 'x\nCOPY public.t (id) FROM stdin;\n1\n\\.\n'::text $f$`,
        `CREATE FUNCTION g() RETURNS text LANGUAGE sql AS ` +
          `$g$ SELECT 'y\nCOPY public.u (id) FROM stdin;\n1\n'::text $g$`,
        // A newline in a table name splits pg_dump's COPY header over two lines.
        `CREATE TABLE public."new\nline" (id int)`,
        `INSERT INTO public."new\nline" SELECT generate_series(1, 9)`,
      );
      const rec = await runBackupJob(
        pgBackupJob({ root: fx.root, target: targetFor(spoof), kind: 'full', format: 'plain' }),
      );
      const tables = await tablesAndCounts(spoof);
      expect(tables).toHaveLength(3);
      expect(rec.meta.rowCounts).toEqual(Object.fromEntries(tables.map((t) => [t.key, t.n])));
      expect(rec.meta.rowCounts).toMatchObject({ 'public.t': 42, 'public.u': 5 });
      // …although the stream alone could vouch for none of the three.
      const counter = new CopyRowCounter();
      counter.push(gunzipSync(readFileSync(rec.path)));
      const seen = counter.result();
      for (const t of tables) {
        const k = tableKey(t.schema, t.table);
        expect(seen.duplicates.has(k) || seen.counts.get(k) === undefined, t.key).toBe(true);
      }
      // The transaction of pg_dump's snapshot was still open for the fallback counts, and as every
      // count is a count(*) there, that is what the sidecar says.
      expect(rec.meta.rowCountMethod).toBe('exported-snapshot');
    } finally {
      await dropDatabase(spoof);
    }
  });
});
