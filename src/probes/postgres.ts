// The PostgreSQL probe: ONE dedicated connection (never a pool, so we never hold more than one of
// the operator's max_connections), reconnected lazily on the next read after any failure, and one
// round trip per read. A frozen server cannot wedge us: when a read is aborted or times out the
// socket is destroyed, which also fails any query still waiting on it.
import pg from 'pg';
import type { Socket } from 'node:net';
import { reachableOnFailure, runBounded, type ErrorContext } from './boundary.js';
import { ProbeFailure, type MetricSample, type Probe, type ProbeResult } from './types.js';
import type { PgConnection } from '../config/resolve.js';

export interface PgQuery {
  pid: number;
  user: string | null;
  database: string | null;
  app: string | null;
  seconds: number;
  state: string | null;
  /** First ~200 characters of the statement. */
  query: string;
}
export interface PgWaitingLock {
  pid: number;
  user: string | null;
  database: string | null;
  locktype: string;
  mode: string;
  relation: string | null;
  /** pids holding the lock this one waits for (pg_blocking_pids). */
  blockedBy: number[];
  seconds: number | null;
  query: string;
}
/** A session in a blocking chain: the sessions it blocks are its children (pg_blocking_pids). */
export interface PgBlockNode {
  pid: number;
  user: string | null;
  app: string | null;
  state: string | null;
  /** Seconds since its transaction (or else its statement) began. */
  seconds: number | null;
  query: string;
  /** Every pid it waits for; it sits in the tree under the first of them. */
  blockedBy: number[];
  children: PgBlockNode[];
}
export interface PgReplica {
  name: string;
  address: string | null;
  state: string | null;
  lagSeconds: number | null;
}
export interface PgReading {
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  connections: { total: number; max: number; percent: number; byState: Record<string, number> };
  /** Percent of block reads served from shared buffers since stats reset; null before any read. */
  cacheHitRatio: number | null;
  /** Up to 5 longest-running active queries, longest first (our own excluded). */
  longQueries: PgQuery[];
  waitingLocks: PgWaitingLock[];
  /** Blocking chains as trees, one per root blocker (a session that blocks others and waits for nobody). */
  blockingTree: PgBlockNode[];
  /** Refreshed every minute (pg_database_size walks the data directory); `databasesAt` says when. */
  databases: { name: string; sizeBytes: number | null }[];
  databasesAt: number | null;
  replication: { role: 'primary' | 'replica'; lagSeconds: number | null; replicas: PgReplica[] };
  /** WAL archiving from pg_stat_archiver: the recovery point between two backups. */
  wal: PgWalArchive;
}

/** The server's WAL archiver, as pg_stat_archiver and archive_mode tell it. Times are ms since the epoch. */
export interface PgWalArchive {
  /** archive_mode is on (on a primary) or always: segments are being archived. */
  archiving: boolean;
  mode: string;
  archived: number;
  lastArchivedWal: string | null;
  lastArchivedAt: number | null;
  failed: number;
  lastFailedWal: string | null;
  lastFailedAt: number | null;
  /** The newest attempt failed: archiving is stuck, and WAL piles up in pg_wal. */
  failing: boolean;
  /**
   * Seconds since the newest archived segment (since the archiver's statistics began when none
   * was archived yet): how much would be lost if the server died now. Null when not archiving.
   */
  ageSeconds: number | null;
}

const SIZES_INTERVAL = 60_000;

// One statement, one round trip: each list is aggregated to JSON inside the row.
const BASE_SQL = `SELECT
  current_setting('server_version') AS version,
  extract(epoch FROM pg_postmaster_start_time())::float8 AS started_at,
  extract(epoch FROM now())::float8 AS now,
  current_setting('max_connections')::int AS max_connections,
  pg_is_in_recovery() AS in_recovery,
  (SELECT coalesce(json_object_agg(s, n), '{}') FROM (SELECT coalesce(state, 'unknown') AS s, count(*) AS n
     FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1) x) AS by_state,
  (SELECT json_build_array(sum(blks_hit), sum(blks_read)) FROM pg_stat_database) AS blocks,
  (SELECT coalesce(json_agg(q), '[]') FROM (SELECT pid, usename AS "user", datname AS database, application_name AS app,
     extract(epoch FROM now() - query_start)::float8 AS seconds, state, left(query, 200) AS query
     FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'
     ORDER BY query_start LIMIT 5) q) AS long_queries,
  (SELECT coalesce(json_agg(w), '[]') FROM (SELECT l.pid, a.usename AS "user", a.datname AS database,
     l.locktype, l.mode, l.relation::regclass::text AS relation, pg_blocking_pids(l.pid) AS "blockedBy",
     extract(epoch FROM now() - a.query_start)::float8 AS seconds, left(a.query, 200) AS query
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted ORDER BY a.query_start) w) AS waiting,
  (WITH w AS (SELECT pid, pg_blocking_pids(pid) AS by FROM pg_stat_activity WHERE wait_event_type = 'Lock')
   SELECT coalesce(json_agg(b ORDER BY b.pid), '[]') FROM (SELECT a.pid, a.usename AS "user",
     a.application_name AS app,
     a.state, extract(epoch FROM now() - coalesce(a.xact_start, a.query_start))::float8 AS seconds,
     left(a.query, 200) AS query, coalesce(w.by, '{}') AS "blockedBy"
     FROM pg_stat_activity a LEFT JOIN w USING (pid)
     WHERE a.pid IN (SELECT pid FROM w WHERE cardinality(by) > 0)
        OR a.pid IN (SELECT unnest(by) FROM w)) b) AS blocking,
  CASE WHEN pg_is_in_recovery() THEN
    -- An idle primary sends nothing to replay, so a caught-up replica counts as 0, not "time since last commit".
    CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
         ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END
  END AS replica_lag,
  (SELECT coalesce(json_agg(r), '[]') FROM (SELECT application_name AS name, client_addr::text AS address, state,
     extract(epoch FROM replay_lag)::float8 AS "lagSeconds" FROM pg_stat_replication) r) AS replicas,
  (SELECT json_build_object('mode', current_setting('archive_mode'), 'archived', archived_count,
     'lastArchivedWal', last_archived_wal, 'lastArchivedAt', extract(epoch FROM last_archived_time)::float8,
     'failed', failed_count, 'lastFailedWal', last_failed_wal,
     'lastFailedAt', extract(epoch FROM last_failed_time)::float8,
     'since', extract(epoch FROM coalesce(stats_reset, pg_postmaster_start_time()))::float8)
     FROM pg_stat_archiver) AS archiver`;
const SIZES_SQL = `,
  (SELECT coalesce(json_agg(d), '[]') FROM (SELECT datname AS name,
     CASE WHEN has_database_privilege(datname, 'CONNECT') THEN pg_database_size(datname) END AS "sizeBytes"
     FROM pg_database WHERE NOT datistemplate ORDER BY datname) d) AS databases`;

interface Row {
  version: string;
  started_at: number;
  now: number;
  max_connections: number;
  in_recovery: boolean;
  by_state: Record<string, number>;
  blocks: [number | null, number | null];
  long_queries: PgQuery[];
  waiting: PgWaitingLock[];
  blocking: Omit<PgBlockNode, 'children'>[];
  replica_lag: number | null;
  replicas: PgReplica[];
  // The reading's fields as the server sends them: times in seconds since the epoch here.
  archiver: Pick<
    PgWalArchive,
    'mode' | 'archived' | 'lastArchivedWal' | 'lastArchivedAt' | 'failed' | 'lastFailedWal' | 'lastFailedAt'
  > & { since: number };
  databases?: { name: string; sizeBytes: number | null }[];
}

/** Describes where we connect, for messages (never includes the password). */
export function pgEndpoint(c: Pick<PgConnection, 'host' | 'port' | 'user' | 'database'>): string {
  const where = c.host.startsWith('/') ? `socket ${c.host}/.s.PGSQL.${c.port}` : `${c.host}:${c.port}`;
  return `PostgreSQL at ${where} (user ${c.user}, database ${c.database})`;
}

/** Reads one PostgreSQL server over a single dedicated connection. */
export class PostgresProbe implements Probe<PgReading> {
  readonly id = 'postgres';
  readonly interval: number;
  private client: pg.Client | null = null;
  private dropped = new WeakSet<pg.Client>();
  private databases: { at: number; list: NonNullable<Row['databases']> } | null = null;
  private readonly context: ErrorContext;

  constructor(
    private readonly conn: PgConnection,
    private readonly timeoutMs: number,
  ) {
    this.interval = conn.interval;
    this.context = {
      what: pgEndpoint(conn),
      secrets: [conn.password],
      hints: {
        unreachable: 'is the server running? check targets.postgres host/port (or PGHOST/PGPORT)',
        auth: 'check targets.postgres.passwordEnv / PGPASSWORD, the user name and pg_hba.conf',
        timeout: 'is the server overloaded or frozen, or is a firewall dropping packets?',
      },
    };
  }

  /** One reading; never rejects, resolves within the probe timeout. */
  read(signal: AbortSignal): Promise<ProbeResult<PgReading>> {
    return runBounded(
      signal,
      {
        timeoutMs: this.timeoutMs,
        context: this.context,
        failureMetrics: reachableOnFailure('postgres.reachable'),
      },
      (s) => this.take(s),
    );
  }

  async close(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.dropped.add(c);
    this.client = null;
    // A polite end (Terminate message) when the server answers; a frozen one just loses the socket.
    await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    destroySocket(c);
  }

  private async take(signal: AbortSignal): Promise<{ reading: PgReading; metrics: MetricSample[] }> {
    let client = this.client;
    // If the read is abandoned (timeout, cancel), kill the socket so nothing stays blocked on it.
    const onAbort = () => this.drop(client);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!client) {
        client = this.newClient();
        await client.connect();
      }
      const sizesDue = !this.databases || Date.now() - this.databases.at >= SIZES_INTERVAL;
      const res = await client.query<Row>(sizesDue ? BASE_SQL + SIZES_SQL : BASE_SQL);
      const row = res.rows[0];
      if (!row) throw new ProbeFailure('protocol', 'the status query returned no row');
      if (row.databases) this.databases = { at: Date.now(), list: row.databases };
      const reading = toReading(row, this.databases);
      return { reading, metrics: pgMetrics(reading) };
    } catch (err) {
      // Reconnect lazily on the next read; only this read's client is ours to drop.
      this.drop(client);
      throw this.explain(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private newClient(): pg.Client {
    const c = this.conn;
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      user: c.user,
      database: c.database,
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...sslOption(c.sslmode),
      application_name: 'opsdeck',
      statement_timeout: c.statementTimeout,
      connectionTimeoutMillis: this.timeoutMs,
      keepAlive: true,
    });
    // A server dying under an idle connection emits 'error'; unhandled, it would crash the console.
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    this.client = client;
    return client;
  }

  private drop(c: pg.Client | null): void {
    if (!c || this.dropped.has(c)) return;
    this.dropped.add(c);
    if (this.client === c) this.client = null;
    destroySocket(c);
    c.end().catch(() => undefined);
  }

  private explain(err: unknown): unknown {
    const e = err as { code?: string; message?: string };
    const user = this.conn.user;
    if (e.code === '28P01') return new ProbeFailure('auth', `authentication failed for user ${user}`);
    if (e.code === '28000')
      return new ProbeFailure('auth', `login refused for user ${user} (${e.message ?? 'invalid authorization'})`);
    if (typeof e.message === 'string' && /password must be a string|no password/i.test(e.message)) {
      return new ProbeFailure('auth', `the server asks for a password for user ${user} but none is configured`);
    }
    if (e.code === '53300')
      return new ProbeFailure('unreachable', 'the server refuses new connections: max_connections reached');
    if (e.code === '57P03')
      return new ProbeFailure(
        'unreachable',
        `the server is not accepting connections yet (${e.message ?? 'starting up or shutting down'})`,
      );
    if (e.code === '57014')
      return new ProbeFailure(
        'timeout',
        `the status query was cancelled by statement_timeout (${this.conn.statementTimeout} ms)`,
      );
    return err;
  }
}

function toReading(row: Row, dbs: { at: number; list: NonNullable<Row['databases']> } | null): PgReading {
  const total = Object.values(row.by_state).reduce((a, b) => a + Number(b), 0);
  const [hit, readBlocks] = row.blocks.map((v) => Number(v ?? 0));
  const lookups = (hit ?? 0) + (readBlocks ?? 0);
  const replicas = row.replicas;
  const primaryLag = replicas.reduce<number | null>(
    (max, r) => (r.lagSeconds === null ? max : Math.max(max ?? 0, r.lagSeconds)),
    null,
  );
  return {
    version: row.version,
    startedAt: Math.round(row.started_at * 1000),
    uptimeSeconds: Math.max(0, Math.round(row.now - row.started_at)),
    connections: {
      total,
      max: row.max_connections,
      percent: round1((total / row.max_connections) * 100),
      byState: row.by_state,
    },
    cacheHitRatio: lookups > 0 ? round1(((hit ?? 0) / lookups) * 100) : null,
    longQueries: row.long_queries.map((q) => ({ ...q, seconds: round1(Math.max(0, q.seconds)) })),
    waitingLocks: row.waiting.map((w) => ({ ...w, seconds: w.seconds === null ? null : round1(w.seconds) })),
    blockingTree: blockingTree(row.blocking),
    databases: dbs?.list ?? [],
    databasesAt: dbs?.at ?? null,
    replication: {
      role: row.in_recovery ? 'replica' : 'primary',
      lagSeconds: row.in_recovery ? row.replica_lag : primaryLag,
      replicas,
    },
    wal: walArchive(row),
  };
}

/** Trees from the root blockers; each blocked session under its first blocker (pure; exported for tests). */
export function blockingTree(rows: Omit<PgBlockNode, 'children'>[]): PgBlockNode[] {
  const nodes = new Map<number, PgBlockNode>();
  for (const r of rows)
    nodes.set(r.pid, { ...r, seconds: r.seconds === null ? null : round1(Math.max(0, r.seconds)), children: [] });
  const roots: PgBlockNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.blockedBy.map((p) => nodes.get(p)).find((p) => p !== undefined);
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  // A deadlock cycle has no root until the server breaks it; show its members as roots meanwhile.
  const seen = new Set<number>();
  const mark = (n: PgBlockNode): void => {
    if (seen.has(n.pid)) return;
    seen.add(n.pid);
    n.children.forEach(mark);
  };
  roots.forEach(mark);
  for (const n of nodes.values()) {
    if (seen.has(n.pid)) continue;
    roots.push({ ...n, children: [] });
    seen.add(n.pid);
  }
  return roots;
}

function walArchive(row: Row): PgWalArchive {
  const a = row.archiver;
  // A replica archives only with archive_mode = always; "on" waits for a promotion.
  const archiving = a.mode === 'always' || (a.mode === 'on' && !row.in_recovery);
  const ms = (epoch: number | null): number | null => (epoch === null ? null : Math.round(epoch * 1000));
  const failing = a.lastFailedAt !== null && (a.lastArchivedAt === null || a.lastFailedAt > a.lastArchivedAt);
  return {
    archiving,
    mode: a.mode,
    archived: Number(a.archived),
    lastArchivedWal: a.lastArchivedWal,
    lastArchivedAt: ms(a.lastArchivedAt),
    failed: Number(a.failed),
    lastFailedWal: a.lastFailedWal,
    lastFailedAt: ms(a.lastFailedAt),
    failing,
    ageSeconds: archiving ? round1(Math.max(0, row.now - (a.lastArchivedAt ?? a.since))) : null,
  };
}

/** Metric samples for a PostgreSQL reading (replication lag only where there is replication). */
export function pgMetrics(r: PgReading): MetricSample[] {
  const out: MetricSample[] = [
    { metric: 'postgres.reachable', instance: '', value: 1, unit: 'count' },
    { metric: 'postgres.connections', instance: '', value: r.connections.percent, unit: '%' },
    { metric: 'postgres.cacheHitRatio', instance: '', value: r.cacheHitRatio, unit: '%' },
    {
      metric: 'postgres.longestQuerySeconds',
      instance: '',
      value: r.longQueries.reduce((m, q) => Math.max(m, q.seconds), 0),
      unit: 's',
    },
    { metric: 'postgres.waitingLocks', instance: '', value: r.waitingLocks.length, unit: 'count' },
  ];
  if (r.replication.role === 'replica' || r.replication.replicas.length > 0) {
    out.push({ metric: 'postgres.replicationLagSeconds', instance: '', value: r.replication.lagSeconds, unit: 's' });
  }
  // The recovery point: only a server that archives WAL has one between backups.
  if (r.wal.archiving) {
    out.push({ metric: 'postgres.walArchiveAgeSeconds', instance: '', value: r.wal.ageSeconds, unit: 's' });
    out.push({ metric: 'postgres.walArchiveFailing', instance: '', value: r.wal.failing ? 1 : 0, unit: 'count' });
  }
  return out;
}

function sslOption(mode: string | undefined): { ssl?: pg.ClientConfig['ssl'] } {
  // node-postgres has no "prefer": it is treated as plain, like "disable".
  if (mode === 'require') return { ssl: { rejectUnauthorized: false } };
  if (mode === 'verify-ca' || mode === 'verify-full') return { ssl: { rejectUnauthorized: true } };
  return {};
}

function destroySocket(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
  stream?.destroy();
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
