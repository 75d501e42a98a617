// Fixtures for the restore tests: uniquely named databases on the shared PostgreSQL, real backups
// made by the backup layer, a checksum over every row of every table, and hand-made broken dumps.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { ActionGuard } from '../../src/plan/guard.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import type { PgTarget } from '../../src/backup/pg-tools.js';
import { readSidecar, writeSidecar } from '../../src/backup/sidecar.js';
import { quoteIdent } from '../../src/restore/sql.js';
import { postgresService, uniqueName } from '../helpers/services.js';
import { sql } from '../backup/helpers.js';

export { sql };

/** The shared server as the superuser (its `database` is ignored by the restore layer). */
export function server(): PgTarget {
  const s = postgresService();
  return { host: s.host, port: s.port, user: s.user, database: s.database };
}

/** Creates a uniquely named database (optionally with an awkward name) and returns its name. */
export async function createDatabase(prefix: string, owner?: string): Promise<string> {
  const name = uniqueName(prefix);
  await sql('postgres', `CREATE DATABASE ${quoteIdent(name)}${owner ? ` OWNER ${quoteIdent(owner)}` : ''}`);
  return name;
}

/** Drops a database, ending its connections. */
export async function dropDatabase(name: string): Promise<void> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Whether a database of that name exists. */
export async function databaseExists(name: string): Promise<boolean> {
  const [r] = await sql('postgres', `SELECT 1 FROM pg_database WHERE datname = ${pg.escapeLiteral(name)}`);
  return r!.rowCount === 1;
}

/** Databases whose name contains `part`. */
export async function databasesLike(part: string): Promise<string[]> {
  const [r] = await sql(
    'postgres',
    `SELECT datname FROM pg_database WHERE strpos(datname, ${pg.escapeLiteral(part)}) > 0 ORDER BY 1`,
  );
  return r!.rows.map((x: { datname: string }) => x.datname);
}

/** Seeds the manual's schema: users, incidents (with a sequence), a quoted schema, an empty table. */
export const SEED = [
  `CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)`,
  `CREATE TABLE incidents (id serial PRIMARY KEY, title text NOT NULL, priority text NOT NULL, ` +
    `assignee int REFERENCES users(id), created timestamptz NOT NULL DEFAULT '2025-01-05 03:00+00')`,
  `INSERT INTO users (name) SELECT 'operator ' || g FROM generate_series(1, 25) g`,
  `INSERT INTO incidents (title, priority, assignee) ` +
    `SELECT 'incident #' || g, (ARRAY['Critical','High','Medium','Low'])[1 + g % 4], 1 + g % 25 ` +
    `FROM generate_series(1, 3000) g`,
  `CREATE SCHEMA "Ops Schema"`,
  `CREATE TABLE "Ops Schema"."Shift Notes" (id int PRIMARY KEY, note text)`,
  `INSERT INTO "Ops Schema"."Shift Notes" SELECT g, E'line ' || g || E'\\nwith a tab\\t' FROM generate_series(1, 40) g`,
  `CREATE TABLE empty_t (id int PRIMARY KEY)`,
];

/** Changes the data every way a bad deploy might: updates, deletes, inserts, a new and a dropped table. */
export const DAMAGE = [
  `UPDATE incidents SET priority = 'Low' WHERE id % 3 = 0`,
  `DELETE FROM incidents WHERE id > 2500`,
  `INSERT INTO users (name) VALUES ('intruder')`,
  `CREATE TABLE stray (x int)`,
  `DROP TABLE "Ops Schema"."Shift Notes"`,
];

/** md5 over every row of every table (rows ordered by their text), keyed by table, plus sequence positions. */
export async function checksum(database: string): Promise<Record<string, string>> {
  const s = postgresService();
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, database });
  await c.connect();
  try {
    const t = await c.query<{ name: string; kind: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { name, kind } of t.rows) {
      const q =
        kind === 'S'
          ? `SELECT last_value || '/' || is_called AS h FROM ${name}`
          : `SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM ${name} x`;
      const r = await c.query<{ h: string }>(q);
      out[name] = r.rows[0]!.h;
    }
    return out;
  } finally {
    await c.end();
  }
}

/** A real backup of `database` by the backup layer, into `root`. */
export async function backup(root: string, database: string, format: 'plain' | 'custom' = 'plain'): Promise<string> {
  const rec = await runBackupJob(pgBackupJob({ root, target: { ...server(), database }, kind: 'full', format }), {
    skipPreflight: true,
  });
  return rec.path;
}

/** Rewrites a plain backup's dump text with `edit` and fixes its sidecar (size, checksum) so it still verifies. */
export async function rewriteBackup(
  file: string,
  edit: (text: string) => string,
  out: string,
  sidecarEdit: (m: Awaited<ReturnType<typeof readSidecar>>) => void = () => undefined,
): Promise<string> {
  const gz = gzipSync(Buffer.from(edit(gunzipSync(readFileSync(file)).toString('utf8')), 'utf8'));
  writeFileSync(out, gz);
  const meta = await readSidecar(file);
  meta.file = path.basename(out);
  meta.size = gz.length;
  meta.sha256 = createHash('sha256').update(gz).digest('hex');
  sidecarEdit(meta);
  await writeSidecar(out, meta);
  return out;
}

/** A fresh temp directory and its remover. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `opsdeck-rs-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An audit sink that keeps entries, and the real guard of a read-write console (`readOnly` to refuse). */
export function actionLayer(opts: { readOnly?: boolean } = {}): { audit: MemoryAudit; guard: ActionGuard } {
  const audit = new MemoryAudit();
  return { audit, guard: new ActionGuard({ readOnly: opts.readOnly ?? false, audit, timer: false }) };
}
