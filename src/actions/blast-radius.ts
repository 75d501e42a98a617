// Who is affected before stopping a database service: the clients it holds right now. Best
// effort and quick — an unreachable database simply has nobody to list.
import { Redis } from 'ioredis';
import pg from 'pg';
import type { PgConnection, RedisConnection } from '../config/resolve.js';
import type { ServiceConfig } from '../config/schema.js';

/** Client connections to PostgreSQL grouped by application, address and user, busiest first. */
export async function postgresClients(conn: PgConnection, signal?: AbortSignal): Promise<string[]> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    database: conn.database,
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    connectionTimeoutMillis: 3000,
    statement_timeout: 3000,
    application_name: 'opsdeck',
  });
  const onAbort = (): void => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const r = await client.query<{ app: string; addr: string; usename: string; n: string }>(
      `SELECT coalesce(nullif(application_name, ''), '?') AS app, coalesce(host(client_addr), 'local') AS addr,
              coalesce(usename, '?') AS usename, count(*)::text AS n
         FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
        GROUP BY 1, 2, 3 ORDER BY count(*) DESC`,
    );
    const total = r.rows.reduce((a, row) => a + Number(row.n), 0);
    const top = r.rows.slice(0, 5).map((row) => `${row.n}× ${row.app} (${row.usename}@${row.addr})`);
    const more = r.rows.length > 5 ? `, and ${r.rows.length - 5} more groups` : '';
    return [
      total === 0
        ? 'no client connections'
        : `${total} client connection${total === 1 ? '' : 's'}: ${top.join(', ')}${more}`,
    ];
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/** Redis clients grouped by name and address, busiest first. */
export async function redisClients(conn: RedisConnection, signal?: AbortSignal): Promise<string[]> {
  const redis = new Redis({
    host: conn.host,
    port: conn.port,
    db: conn.db,
    ...(conn.username ? { username: conn.username } : {}),
    ...(conn.password ? { password: conn.password } : {}),
    ...(conn.tls ? { tls: {} } : {}),
    connectionName: 'opsdeck-blast-radius',
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const onAbort = (): void => redis.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await redis.connect();
    const list = String(await redis.call('CLIENT', 'LIST'));
    const groups = new Map<string, number>();
    for (const line of list.split('\n')) {
      if (!line.trim()) continue;
      const f = Object.fromEntries(
        line
          .trim()
          .split(' ')
          .map((kv) => kv.split('=') as [string, string]),
      );
      if (f.name === 'opsdeck-blast-radius') continue;
      const key = `${f.name || '?'} (${(f.addr ?? '?').replace(/:\d+$/, '')})`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    const top = [...groups.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, n]) => `${n}× ${k}`);
    return [total <= 0 ? 'no clients' : `${total} client${total === 1 ? '' : 's'}: ${top.join(', ')}`];
  } finally {
    signal?.removeEventListener('abort', onAbort);
    redis.disconnect();
  }
}

/** A clientsOf callback for services: database services that look like PostgreSQL or Redis list their clients. */
export function databaseClientsOf(targets: { postgres: PgConnection | null; redis: RedisConnection | null }) {
  return async (svc: ServiceConfig, signal: AbortSignal): Promise<string[] | undefined> => {
    if (svc.group !== 'database') return undefined;
    const id = [svc.name, svc.systemd, svc.container].filter(Boolean).join(' ').toLowerCase();
    if (targets.postgres && /postgres|\bpg/.test(id)) return postgresClients(targets.postgres, signal);
    if (targets.redis && /redis/.test(id)) return redisClients(targets.redis, signal);
    return undefined;
  };
}
