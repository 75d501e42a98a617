// Shared fixtures for the backup tests: uniquely named databases on the shared PostgreSQL, a
// seeded schema with awkward names, temp backup roots, and "what is left in this directory".
import { mkdtempSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { PgTarget } from '../../src/backup/pg-tools.js';
import { postgresService, uniqueName } from '../helpers/services.js';

/** Runs SQL statements as the superuser on `database` of the shared server. */
export async function sql(database: string, ...statements: string[]): Promise<pg.QueryResult[]> {
  const s = postgresService();
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, database });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const out: pg.QueryResult[] = [];
    for (const st of statements) out.push(await c.query(st));
    return out;
  } finally {
    await c.end();
  }
}

/** Creates a uniquely named database on the shared server and returns its name. */
export async function createDatabase(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await sql(postgresService().database, `CREATE DATABASE ${name}`);
  return name;
}

/** Drops a database made by createDatabase (ending its connections). */
export async function dropDatabase(name: string): Promise<void> {
  await sql(postgresService().database, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** The backup target for `database` on the shared server (trust auth, superuser). */
export function targetFor(database: string, user?: string): PgTarget {
  const s = postgresService();
  return { host: s.host, port: s.port, user: user ?? s.user, database };
}

/** Small schema with awkward names: a quoted schema and table, a partitioned table, an empty one. */
export const SEED = [
  `CREATE TABLE incidents (id serial PRIMARY KEY, title text NOT NULL, created timestamptz DEFAULT now())`,
  `INSERT INTO incidents (title) SELECT 'incident ' || g FROM generate_series(1, 1234) g`,
  `CREATE TABLE empty_t (id int)`,
  `CREATE SCHEMA "Weird Schema"`,
  `CREATE TABLE "Weird Schema"."Mixed Case" (v text)`,
  `INSERT INTO "Weird Schema"."Mixed Case" SELECT 'line' || g || E'\\nwith newline' FROM generate_series(1, 7) g`,
  `CREATE TABLE measurements (at date NOT NULL, v int) PARTITION BY RANGE (at)`,
  `CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
  `CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
  `INSERT INTO measurements SELECT '2024-03-01'::date + g, g FROM generate_series(0, 400) g`,
];

/** The row counts the seeded schema must produce. */
export const SEED_COUNTS = {
  '"Weird Schema"."Mixed Case"': 7,
  'public.empty_t': 0,
  'public.incidents': 1234,
  'public.measurements_2024': 306,
  'public.measurements_2025': 95,
};

/**
 * Awkward names and data for the row-count tests: quoted, mixed case, keywords, non-ASCII, no columns, nested
 * partitions, values that look like COPY syntax.
 */
export const AWKWARD = [
  `CREATE SCHEMA "Odd Schema"`,
  `CREATE TABLE "Odd Schema"."T" (v text)`,
  `INSERT INTO "Odd Schema"."T" VALUES ` +
    `(E'two\\nlines'), (E'tab\\there'), (E'back\\\\slash'), ('\\.'), (''), (NULL), (E'\\r\\n')`,
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
  `INSERT INTO m SELECT '2024-01-01'::date + g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END, g ` +
    `FROM generate_series(0, 500) g`,
];

/** The names the stream must find: every table the backup lists, with its count(*). */
export async function tablesAndCounts(
  db: string,
): Promise<{ key: string; schema: string; table: string; n: number }[]> {
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

/** A table big enough (~40 MB of dump text) that a dump can be killed or cancelled half-way. */
export const BIG = [
  `CREATE TABLE big (id int, a text, b text)`,
  `INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 500000) g`,
];

/** A fresh temp directory (removed by the returned function). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `opsdeck-bk-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative paths, sorted), directories left out. */
export function filesUnder(dir: string): string[] {
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]))
    .sort();
}

/**
 * For one describe block: a fresh database seeded with `statements` and a temp backup root,
 * both removed afterwards. Read `db` and `root` inside tests and hooks (they are set in beforeAll).
 */
export function seededDatabase(
  prefix: string,
  statements: readonly string[],
  rootPrefix: string,
): { readonly db: string; readonly root: string } {
  let db = '';
  let root: { dir: string; remove: () => void } | undefined;
  beforeAll(async () => {
    db = await createDatabase(prefix);
    await sql(db, ...statements);
    root = tempDir(rootPrefix);
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });
  return {
    get db() {
      return db;
    },
    get root() {
      return root!.dir;
    },
  };
}
