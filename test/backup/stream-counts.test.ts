// Plain backups count rows in pg_dump's stream: on a database with awkward names and data, the
// recorded counts equal count(*), and they really come from the stream (not the count(*) fallback).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CopyRowCounter, tableKey } from '../../src/backup/copy-count.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { unavailable } from '../helpers/services.js';
import { createDatabase, dropDatabase, seededDatabase, sql, targetFor } from './helpers.js';

const ODD = [
  `CREATE SCHEMA "Odd Schema"`,
  `CREATE TABLE "Odd Schema"."T" (v text)`,
  `INSERT INTO "Odd Schema"."T" VALUES (E'two\\nlines'), (E'tab\\there'), (E'back\\\\slash'), ('\\.'), (''), (NULL), (E'\\r\\n')`,
  `CREATE SCHEMA other`,
  `CREATE TABLE other."quo""te d" ("a b" int, "Sel" text)`,
  `INSERT INTO other."quo""te d" SELECT g, 'COPY public.plain (id) FROM stdin;' FROM generate_series(1, 11) g`,
  `CREATE TABLE public."order" (x int)`,
  `INSERT INTO public."order" SELECT generate_series(1, 3)`,
  `CREATE TABLE public."café" (x int)`,
  `INSERT INTO public."café" VALUES (1), (2)`,
  `CREATE TABLE public.plain (id int, body text)`,
  `INSERT INTO public.plain SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 5000) g`,
  `CREATE TABLE public.empty_t (id int)`,
  `CREATE TABLE public.nocols ()`,
  `INSERT INTO public.nocols DEFAULT VALUES`,
  `INSERT INTO public.nocols DEFAULT VALUES`,
  `CREATE TABLE m (at date NOT NULL, region text NOT NULL, v int) PARTITION BY RANGE (at)`,
  `CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (region)`,
  `CREATE TABLE "m_2024 EU" PARTITION OF m_2024 FOR VALUES IN ('eu')`,
  `CREATE TABLE m_2024_other PARTITION OF m_2024 DEFAULT`,
  `CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
  `INSERT INTO m SELECT '2024-01-01'::date + g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(0, 500) g`,
];

/** The names the stream must find: every table the backup lists, with its count(*). */
async function tablesAndCounts(db: string): Promise<{ key: string; schema: string; table: string; n: number }[]> {
  const [list] = await sql(
    db,
    `SELECT format('%I.%I', n.nspname, c.relname) AS key, n.nspname AS schema, c.relname AS "table"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
  );
  const out = [];
  for (const r of list!.rows as { key: string; schema: string; table: string }[]) {
    const [c] = await sql(db, `SELECT count(*)::int AS n FROM ${r.key}`);
    out.push({ ...r, n: (c!.rows[0] as { n: number }).n });
  }
  return out;
}

describe.skipIf(unavailable('postgres'))('row counts from the plain dump stream', () => {
  const fx = seededDatabase('bk_stream', ODD, 'stream');
  for (const kind of ['full', 'data'] as const) {
    it(`${kind}: every table's COPY block is found under the server's own name, and its rows equal count(*)`, async () => {
      const rec = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind, format: 'plain' }));
      const tables = await tablesAndCounts(fx.db);
      expect(tables.map((t) => t.key)).toEqual(
        expect.arrayContaining(['"Odd Schema"."T"', 'other."quo""te d"', 'public."order"', 'public."café"', 'public.empty_t', 'public.nocols', 'public."m_2024 EU"', 'public.m_2024_other', 'public.m_2025']),
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

  it('COPY-like text in the schema part, or a name it cannot read, still ends with exact counts (count(*) for those tables)', async () => {
    const spoof = await createDatabase('bk_spoof');
    try {
      await sql(
        spoof,
        `CREATE TABLE public.t (id int)`,
        `INSERT INTO public.t SELECT generate_series(1, 42)`,
        `CREATE TABLE public.u (id int)`,
        `INSERT INTO public.u SELECT generate_series(1, 5)`,
        // A function body with a complete fake data block for t, and one without an end for u.
        `CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $f$ SELECT 'x\nCOPY public.t (id) FROM stdin;\n1\n\\.\n'::text $f$`,
        `CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $g$ SELECT 'y\nCOPY public.u (id) FROM stdin;\n1\n'::text $g$`,
        // A newline in a table name splits pg_dump's COPY header over two lines.
        `CREATE TABLE public."new\nline" (id int)`,
        `INSERT INTO public."new\nline" SELECT generate_series(1, 9)`,
      );
      const rec = await runBackupJob(pgBackupJob({ root: fx.root, target: targetFor(spoof), kind: 'full', format: 'plain' }));
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
      // The transaction of pg_dump's snapshot was still open for the fallback counts.
      expect(rec.meta.rowCountMethod).toBe('dump-stream');
    } finally {
      await dropDatabase(spoof);
    }
  });
});
