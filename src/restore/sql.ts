// Talking SQL to the server a restore works on: quoting, short-lived connections, and the row
// counts of every table. A database may be called anything ("my db", `x"; DROP …`, "host=evil"),
// so names reach SQL only as quoted identifiers or bind parameters, and reach libpq only as a
// quoted conninfo value or the PGDATABASE variable — never spliced raw.
import pg from 'pg';
import type { PgTarget } from '../backup/pg-tools.js';

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer names are silently cut. */
export const MAX_IDENT_BYTES = 63;

/** A quoted SQL identifier: "name" with inner quotes doubled. Throws on a NUL byte (never valid). */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('an identifier cannot contain a NUL byte');
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A quoted SQL string literal; E'' form when it holds a backslash, so it means the same whatever
 * standard_conforming_strings says.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a string literal cannot contain a NUL byte');
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** A libpq conninfo value in single quotes (backslash and quote escaped), e.g. for pg_restore --dbname. */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The database to connect to for CREATE/DROP DATABASE: `postgres`, or template1 when `postgres` itself is the
 * target.
 */
export function maintenanceDb(target: string): string {
  return target === 'postgres' ? 'template1' : 'postgres';
}

/** Opens a connection to `database` on the server of `conn`; the caller ends it. */
export async function connect(conn: PgTarget, database: string, appName = 'opsdeck-restore'): Promise<pg.Client> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    database,
    password: conn.password,
    application_name: appName,
    connectionTimeoutMillis: 10_000,
    ...(conn.sslmode && conn.sslmode !== 'disable'
      ? { ssl: { rejectUnauthorized: conn.sslmode.startsWith('verify') } }
      : {}),
  });
  // A server that goes away (or terminates us) must fail the step, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs `fn` on a fresh connection to `database`, always closing it. */
export async function withDb<T>(conn: PgTarget, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(conn, database);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The same set of tables the backup counted (src/backup/pg-snapshot.ts): ordinary tables and leaf
// partitions outside the system schemas; names come back quoted by the server, safe to splice.
const TABLES_SQL = `SELECT format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY 1`;

/** Exact count(*) of every table in the connected database. */
export async function countRows(client: pg.Client, signal?: AbortSignal): Promise<Record<string, number>> {
  const tables = await client.query<{ name: string }>(TABLES_SQL);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    if (signal?.aborted) throw new Error('cancelled while counting rows');
    const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    counts[name] = Number(r.rows[0]!.n);
  }
  return counts;
}

/** "127.0.0.1:5432" or the socket directory, for messages. */
export function serverName(t: Pick<PgTarget, 'host' | 'port'>): string {
  return t.host.startsWith('/') ? `${t.host} (port ${t.port})` : `${t.host}:${t.port}`;
}
