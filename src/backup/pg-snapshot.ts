// Row counts that belong to the dump. We open a REPEATABLE READ transaction, export its snapshot
// and hand it to `pg_dump --snapshot`, so pg_dump and our table list and exact `count(*)` per
// table see the very same data; the transaction stays open until pg_dump has exited (an exported
// snapshot is only importable while its exporter's transaction lives). Where a snapshot cannot be
// exported (some poolers, old servers) the transaction is a separate one, begun just before the
// dump, and the sidecar says so (rowCountMethod). Plain dumps count rows in the dump stream itself
// (copy-count.ts) and only ask count(*) for tables the stream did not account for; custom dumps
// count every table here, beside pg_dump — nothing runs inside pg_dump.
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { PgTarget } from './pg-tools.js';
import { BackupError } from './types.js';

export interface PgSession {
  serverVersion: string;
  /** pg_database_size of the database, bytes. */
  databaseSize: number;
  /**
   * Starts the REPEATABLE READ transaction; resolves to the exported snapshot id, or null when none could be
   * exported.
   */
  beginSnapshot(): Promise<string | null>;
  /** The tables the dump will contain, as seen in the transaction's snapshot. */
  listTables(): Promise<SnapshotTable[]>;
  /**
   * Exact count(*) of every table the dump will contain (or only of `only`, keys from listTables), in the
   * transaction's snapshot.
   */
  countRows(signal: AbortSignal, only?: readonly string[]): Promise<Record<string, number>>;
  /** Ends the transaction and the connection; idempotent, never throws. */
  close(): Promise<void>;
}

/** A table of the snapshot: `key` is format('%I.%I') (the sidecar's rowCounts key), `schema`/`table` the raw names. */
export interface SnapshotTable {
  key: string;
  schema: string;
  table: string;
}

// Ordinary tables and leaf partitions (partitioned parents hold no rows of their own), outside the
// system schemas, that we may read. Names come back quoted by the server (%I), safe to splice.
const TABLES_SQL = `SELECT format('%I.%I', n.nspname, c.relname) AS name, n.nspname AS schema, c.relname AS "table"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
   AND has_table_privilege(c.oid, 'SELECT')
 ORDER BY 1`;

/** Connects and reads the server version and database size; throws BackupError('source') when it cannot. */
export async function openSession(target: PgTarget): Promise<PgSession> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    password: target.password,
    application_name: 'opsdeck-backup',
    connectionTimeoutMillis: 10_000,
    // node-postgres cannot "prefer" SSL (it either requires it or not); pg_dump itself honours PGSSLMODE exactly.
    ...(target.sslmode === 'require' || target.sslmode?.startsWith('verify')
      ? { ssl: { rejectUnauthorized: target.sslmode !== 'require' } }
      : {}),
  });
  // A server that goes away mid-dump must fail the backup, not crash the process.
  client.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  // The statement on the wire, if any: close() must not queue its ROLLBACK behind it.
  let busy: Promise<unknown> | undefined;
  const query = <R extends pg.QueryResultRow>(text: string): Promise<pg.QueryResult<R>> => {
    const p = client.query<R>(text);
    busy = p;
    const clear = (): void => void (busy === p && (busy = undefined));
    p.then(clear, clear);
    return p;
  };
  // Every caller (the abort handler, discard) waits for the same, whole close.
  const close = (): Promise<void> => (closing ??= end());
  const end = async (): Promise<void> => {
    // A count(*) still running (a failed or cancelled backup) would keep the snapshot, its locks
    // and its backend until it finished — minutes on a big table, forever behind a lock: cancel it.
    const running = busy;
    const settled = running === undefined || (await cancelQuery(target, client, running));
    // Unsettled (the server does not answer): end() then drops the socket instead of waiting.
    if (settled) await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  };
  try {
    await client.connect();
    const info = await client.query<{ v: string; size: string }>(
      `SELECT current_setting('server_version') AS v, pg_database_size(current_database())::text AS size`,
    );
    const row = info.rows[0]!;
    return {
      serverVersion: row.v,
      databaseSize: Number(row.size),
      beginSnapshot: () => beginSnapshot(client),
      listTables: async () =>
        (await query<{ name: string; schema: string; table: string }>(TABLES_SQL)).rows.map((r) => ({
          key: r.name,
          schema: r.schema,
          table: r.table,
        })),
      countRows: (signal, only) => countRows(query, signal, close, only),
      close,
    };
  } catch (err) {
    await close();
    throw new BackupError(
      'source',
      `cannot open database "${target.database}" at ${where(target)}: ${(err as Error).message}`,
    );
  }
}

async function beginSnapshot(client: pg.Client): Promise<string | null> {
  const begin = (): Promise<unknown> => client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  try {
    await begin();
    try {
      // Not in a savepoint: a snapshot cannot be exported from a subtransaction.
      const snap = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      return snap.rows[0]!.id;
    } catch {
      await client.query('ROLLBACK');
      await begin();
      return null;
    }
  } catch (err) {
    throw new BackupError('source', `cannot start the snapshot transaction: ${(err as Error).message}`);
  }
}

// Tables per count statement: one statement (one plan, one round trip) for a typical database,
// without building a statement of unbounded size for one with many thousands of partitions.
const COUNT_BATCH = 500;

async function countRows(
  query: <R extends pg.QueryResultRow>(text: string) => Promise<pg.QueryResult<R>>,
  signal: AbortSignal,
  close: () => Promise<void>,
  only?: readonly string[],
): Promise<Record<string, number>> {
  // Aborting ends the connection, cancelling a count(*) still running on it.
  const onAbort = (): void => void close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The counts run beside pg_dump: parallel workers would only compete with it for the same
    // cores (measured: slower backups on 2 cores), and JIT-compiling a count(*) costs more CPU than
    // it saves. Exact either way; SET LOCAL ends with the transaction. The planner already picks an
    // index-only scan where the visibility map allows (a vacuumed pgbench_accounts reads its pkey).
    // Through pg_settings, so a server too old to know either setting just skips it.
    await query(
      `SELECT set_config(name, CASE name WHEN 'jit' THEN 'off' ELSE '0' END, true)
       FROM pg_settings WHERE name IN ('jit', 'max_parallel_workers_per_gather')`,
    );
    const names = only ?? (await query<{ name: string }>(TABLES_SQL)).rows.map((r) => r.name);
    const counts: Record<string, number> = {};
    for (let at = 0; at < names.length; at += COUNT_BATCH) {
      if (signal.aborted) throw new BackupError('cancelled', 'cancelled while counting rows');
      const batch = names.slice(at, at + COUNT_BATCH);
      // One aggregate per table, tagged with its index (the names are already quoted by %I).
      const text = batch.map((name, i) => `SELECT ${i} AS i, count(*)::text AS n FROM ${name}`).join('\nUNION ALL ');
      const r = await query<{ i: number; n: string }>(text);
      for (const row of r.rows) counts[batch[row.i]!] = Number(row.n);
      if (r.rows.length !== batch.length)
        throw new BackupError('source', `counting rows failed: ${r.rows.length} counts for ${batch.length} tables`);
    }
    return counts;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    if (signal.aborted) throw new BackupError('cancelled', 'cancelled while counting rows');
    throw new BackupError('source', `counting rows failed: ${(err as Error).message}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// How long close() waits for a cancelled statement to end before it drops the connection.
const CANCEL_WAIT_MS = 5000;

/**
 * Asks the server to cancel what `client` is running — the protocol's CancelRequest on a new
 * socket, as libpq's PQcancel does, so it needs no login of its own — and waits for `running` to
 * settle. Resolves false when it did not settle in time.
 */
async function cancelQuery(target: PgTarget, client: pg.Client, running: Promise<unknown>): Promise<boolean> {
  // node-postgres keeps the BackendKeyData of the connection but does not declare it.
  const key = client as unknown as { processID?: number | null; secretKey?: number | null };
  if (typeof key.processID === 'number' && typeof key.secretKey === 'number') {
    const req = Buffer.alloc(16);
    req.writeInt32BE(16, 0);
    req.writeInt32BE(80877102, 4); // the cancel request code (1234 << 16 | 5678)
    req.writeInt32BE(key.processID, 8);
    req.writeInt32BE(key.secretKey, 12);
    await new Promise<void>((resolve) => {
      const sock = target.host.startsWith('/')
        ? net.connect(path.join(target.host, `.s.PGSQL.${target.port}`))
        : net.connect(target.port, target.host);
      const done = (): void => {
        sock.destroy();
        resolve();
      };
      sock.setTimeout(CANCEL_WAIT_MS, done);
      sock.once('error', done);
      sock.once('close', done);
      sock.once('connect', () => sock.end(req));
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CANCEL_WAIT_MS)));
  try {
    return await Promise.race([
      running.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** "host:port" or the socket directory, for messages. */
export function where(t: Pick<PgTarget, 'host' | 'port'>): string {
  return t.host.startsWith('/') ? `${t.host} (port ${t.port})` : `${t.host}:${t.port}`;
}
