// The Redis probe: one ioredis connection that never reconnects or queues on its own (a down
// server must not cause a reconnect storm or a growing backlog); the next read reconnects. Each
// read is one INFO round trip, parsed by a pure function.
import { Redis } from 'ioredis';
import { reachableOnFailure, runBounded, type ErrorContext } from './boundary.js';
import { ProbeFailure, type MetricSample, type Probe, type ProbeResult } from './types.js';
import type { RedisConnection } from '../config/resolve.js';

/** The INFO fields opsdeck uses, typed; `fields` keeps every raw `key:value`. */
export interface RedisInfo {
  fields: Record<string, string>;
  version: string;
  mode: string;
  runId: string;
  role: 'master' | 'slave' | string;
  uptimeSeconds: number;
  connectedClients: number;
  blockedClients: number;
  /** INFO carries it since Redis 7.0; null before. */
  maxclients: number | null;
  usedMemory: number;
  usedMemoryRss: number;
  usedMemoryPeak: number;
  maxmemory: number;
  maxmemoryPolicy: string;
  evictedKeys: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  rejectedConnections: number;
  rdbLastBgsaveStatus: string;
  rdbLastSaveTime: number;
  rdbChangesSinceLastSave: number;
  rdbBgsaveInProgress: boolean;
  aofEnabled: boolean;
  aofRewriteInProgress: boolean;
  aofLastWriteStatus: string;
  aofLastBgrewriteStatus: string;
  masterHost: string | null;
  masterLinkStatus: string | null;
  connectedReplicas: number;
  keyspace: { db: number; keys: number; expires: number }[];
}

export interface RedisReading {
  version: string;
  mode: string;
  role: string;
  replication: { role: string; masterHost: string | null; linkStatus: string | null; connectedReplicas: number };
  uptimeSeconds: number;
  memory: { usedBytes: number; maxBytes: number | null; percent: number | null; policy: string };
  /** keyspace_hits of all lookups since start, percent; null before any lookup. */
  hitRatio: number | null;
  evictedKeys: number;
  /** Keys evicted per second since the previous read; null on the first read. */
  evictionsPerSecond: number | null;
  clients: { connected: number; max: number | null; percent: number | null; rejected: number; blocked: number };
  persistence: {
    rdbLastSaveOk: boolean;
    rdbLastSaveAt: number | null;
    rdbChangesSinceSave: number;
    rdbSaving: boolean;
    aofEnabled: boolean;
    aofState: string;
  };
  keyspace: RedisInfo['keyspace'];
}

/** Parses the text of Redis INFO into typed fields (missing numbers read as 0). */
export function parseRedisInfo(text: string): RedisInfo {
  const f: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) f[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  if (f.redis_version === undefined)
    throw new ProbeFailure('protocol', 'INFO did not contain redis_version; is this a Redis server?');
  const n = (k: string) => Number(f[k] ?? 0) || 0;
  const keyspace: RedisInfo['keyspace'] = [];
  for (const [k, v] of Object.entries(f)) {
    const m = /^db(\d+)$/.exec(k);
    if (!m) continue;
    const kv = Object.fromEntries(v.split(',').map((p) => p.split('=') as [string, string]));
    keyspace.push({ db: Number(m[1]), keys: Number(kv.keys ?? 0), expires: Number(kv.expires ?? 0) });
  }
  return {
    fields: f,
    version: f.redis_version,
    mode: f.redis_mode ?? 'standalone',
    runId: f.run_id ?? '',
    role: f.role ?? 'master',
    uptimeSeconds: n('uptime_in_seconds'),
    connectedClients: n('connected_clients'),
    blockedClients: n('blocked_clients'),
    maxclients: f.maxclients !== undefined ? n('maxclients') : null,
    usedMemory: n('used_memory'),
    usedMemoryRss: n('used_memory_rss'),
    usedMemoryPeak: n('used_memory_peak'),
    maxmemory: n('maxmemory'),
    maxmemoryPolicy: f.maxmemory_policy ?? '',
    evictedKeys: n('evicted_keys'),
    expiredKeys: n('expired_keys'),
    keyspaceHits: n('keyspace_hits'),
    keyspaceMisses: n('keyspace_misses'),
    rejectedConnections: n('rejected_connections'),
    rdbLastBgsaveStatus: f.rdb_last_bgsave_status ?? 'ok',
    rdbLastSaveTime: n('rdb_last_save_time'),
    rdbChangesSinceLastSave: n('rdb_changes_since_last_save'),
    rdbBgsaveInProgress: f.rdb_bgsave_in_progress === '1',
    aofEnabled: f.aof_enabled === '1',
    aofRewriteInProgress: f.aof_rewrite_in_progress === '1',
    aofLastWriteStatus: f.aof_last_write_status ?? 'ok',
    aofLastBgrewriteStatus: f.aof_last_bgrewrite_status ?? 'ok',
    masterHost: f.master_host ? `${f.master_host}:${f.master_port ?? '6379'}` : null,
    masterLinkStatus: f.master_link_status ?? null,
    connectedReplicas: n('connected_slaves'),
    keyspace: keyspace.sort((a, b) => a.db - b.db),
  };
}

/** Describes where we connect, for messages (never includes the password). */
export function redisEndpoint(c: Pick<RedisConnection, 'host' | 'port' | 'db'>): string {
  return `Redis at ${c.host}:${c.port}${c.db ? ` db ${c.db}` : ''}`;
}

/** Reads one Redis server over a single self-managed connection. */
export class RedisProbe implements Probe<RedisReading> {
  readonly id = 'redis';
  readonly interval: number;
  private client: Redis | null = null;
  private causes = new WeakMap<Redis, Error>();
  private prev: { at: number; runId: string; evicted: number } | null = null;
  /** Redis < 7 has no maxclients in INFO; CONFIG may be renamed away or denied by ACL. */
  private maxclients: { value: number | null } | null = null;
  private readonly context: ErrorContext;

  constructor(
    private readonly conn: RedisConnection,
    private readonly timeoutMs: number,
  ) {
    this.interval = conn.interval;
    this.context = {
      what: redisEndpoint(conn),
      secrets: [conn.password],
      hints: {
        unreachable: 'is redis-server running? check targets.redis.url (or REDIS_URL)',
        auth: 'check the password in targets.redis.passwordEnv (or the user in the URL)',
        timeout: 'is the server busy (slow command, big save) or frozen, or is a firewall dropping packets?',
      },
    };
  }

  /** One reading; never rejects, resolves within the probe timeout. */
  read(signal: AbortSignal): Promise<ProbeResult<RedisReading>> {
    return runBounded(
      signal,
      {
        timeoutMs: this.timeoutMs,
        context: this.context,
        failureMetrics: reachableOnFailure('redis.reachable'),
      },
      (s) => this.take(s),
    );
  }

  async close(): Promise<void> {
    this.drop(this.client);
  }

  private async take(signal: AbortSignal): Promise<{ reading: RedisReading; metrics: MetricSample[] }> {
    let client = this.client;
    const onAbort = () => this.drop(client);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!client) {
        client = this.newClient();
        await this.handshake(client);
      }
      const info = parseRedisInfo(await client.info());
      if (info.maxclients === null && this.maxclients === null) {
        const res = await client.config('GET', 'maxclients').catch(() => null);
        const v = Array.isArray(res) ? Number(res[1]) : NaN;
        this.maxclients = { value: Number.isFinite(v) && v > 0 ? v : null };
      }
      const reading = this.toReading(info, Date.now());
      return { reading, metrics: redisMetrics(reading) };
    } catch (err) {
      this.drop(client);
      const closed = err instanceof Error && /Connection is closed/i.test(err.message);
      throw this.explain((closed && client && this.causes.get(client)) || err);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private newClient(): Redis {
    const c = this.conn;
    // AUTH, SELECT and the client name are sent by handshake(), not by ioredis: its own connect-time
    // AUTH failure races with the close and often surfaces only as "Connection is closed".
    const client = new Redis({
      host: c.host,
      port: c.port,
      ...(c.tls ? { tls: {} } : {}),
      lazyConnect: true,
      disableClientInfo: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.timeoutMs,
    });
    // Without a listener ioredis prints "Unhandled error event". Keep the error: with retries off,
    // connect() only says "Connection is closed" and the real cause (refused, WRONGPASS) is here.
    client.on('error', (err) => {
      this.causes.set(client, err);
    });
    client.on('end', () => {
      if (this.client === client) this.client = null;
    });
    this.client = client;
    this.maxclients = null; // the server behind the address may have changed
    return client;
  }

  private async handshake(client: Redis): Promise<void> {
    const c = this.conn;
    await client.connect();
    if (c.password !== undefined) {
      const auth = c.username !== undefined ? client.auth(c.username, c.password) : client.auth(c.password);
      // A password for a server that needs none is harmless (ioredis only warns too).
      await auth.catch((err: Error) => {
        if (!/without any password configured|no password is set/i.test(err.message)) throw err;
      });
    }
    if (c.db) await client.select(c.db);
    await client.client('SETNAME', 'opsdeck').catch(() => undefined);
  }

  private drop(c: Redis | null): void {
    if (!c) return;
    if (this.client === c) this.client = null;
    c.disconnect(false);
  }

  private toReading(i: RedisInfo, now: number): RedisReading {
    const prev = this.prev;
    // A restart (new run_id) or CONFIG RESETSTAT makes the counter go back: start a new baseline.
    const comparable = prev && prev.runId === i.runId && i.evictedKeys >= prev.evicted && now > prev.at;
    const evictionsPerSecond = comparable
      ? Math.round(((i.evictedKeys - prev.evicted) * 100_000) / (now - prev.at)) / 100
      : null;
    this.prev = { at: now, runId: i.runId, evicted: i.evictedKeys };
    const maxClients = i.maxclients ?? this.maxclients?.value ?? null;
    const lookups = i.keyspaceHits + i.keyspaceMisses;
    return {
      version: i.version,
      mode: i.mode,
      role: i.role,
      replication: {
        role: i.role,
        masterHost: i.masterHost,
        linkStatus: i.masterLinkStatus,
        connectedReplicas: i.connectedReplicas,
      },
      uptimeSeconds: i.uptimeSeconds,
      memory: {
        usedBytes: i.usedMemory,
        maxBytes: i.maxmemory || null,
        percent: i.maxmemory ? round1((i.usedMemory / i.maxmemory) * 100) : null,
        policy: i.maxmemoryPolicy,
      },
      hitRatio: lookups > 0 ? round1((i.keyspaceHits / lookups) * 100) : null,
      evictedKeys: i.evictedKeys,
      evictionsPerSecond,
      clients: {
        connected: i.connectedClients,
        max: maxClients,
        percent: maxClients ? round1((i.connectedClients / maxClients) * 100) : null,
        rejected: i.rejectedConnections,
        blocked: i.blockedClients,
      },
      persistence: {
        rdbLastSaveOk: i.rdbLastBgsaveStatus === 'ok',
        rdbLastSaveAt: i.rdbLastSaveTime ? i.rdbLastSaveTime * 1000 : null,
        rdbChangesSinceSave: i.rdbChangesSinceLastSave,
        rdbSaving: i.rdbBgsaveInProgress,
        aofEnabled: i.aofEnabled,
        aofState: !i.aofEnabled
          ? 'off'
          : i.aofRewriteInProgress
            ? 'rewriting'
            : i.aofLastWriteStatus === 'ok' && i.aofLastBgrewriteStatus === 'ok'
              ? 'ok'
              : 'failing',
      },
      keyspace: i.keyspace,
    };
  }

  private explain(err: unknown): unknown {
    const message = (err as { message?: unknown }).message;
    if (typeof message !== 'string') return err;
    if (/^(NOAUTH|WRONGPASS)/.test(message) || /invalid (username-)?password/i.test(message)) {
      const who = this.conn.username ? `user ${this.conn.username}` : 'the default user';
      const why =
        this.conn.password === undefined
          ? 'the server requires a password but none is configured'
          : `authentication failed for ${who}`;
      return new ProbeFailure('auth', why);
    }
    if (/^NOPERM/.test(message)) return new ProbeFailure('auth', `the ACL user lacks permission for INFO (${message})`);
    if (/^LOADING/.test(message))
      return new ProbeFailure('unreachable', 'the server is loading its dataset into memory');
    if (/Connection is closed|Stream isn't writeable/i.test(message))
      return new ProbeFailure('unreachable', 'the connection was closed');
    return err;
  }
}

/** Metric samples for a Redis reading; memory only with a maxmemory limit, evictions from the second read. */
export function redisMetrics(r: RedisReading): MetricSample[] {
  const out: MetricSample[] = [{ metric: 'redis.reachable', instance: '', value: 1, unit: 'count' }];
  // maxmemory 0 means "no limit": there is no percentage to judge (host.memory covers it).
  if (r.memory.percent !== null) out.push({ metric: 'redis.memory', instance: '', value: r.memory.percent, unit: '%' });
  out.push({ metric: 'redis.clients', instance: '', value: r.clients.percent, unit: '%' });
  if (r.hitRatio !== null) out.push({ metric: 'redis.hitRatio', instance: '', value: r.hitRatio, unit: '%' });
  if (r.evictionsPerSecond !== null)
    out.push({ metric: 'redis.evictionsPerSecond', instance: '', value: r.evictionsPerSecond, unit: '/s' });
  out.push({
    metric: 'redis.rdbLastSaveFailed',
    instance: '',
    value: r.persistence.rdbLastSaveOk ? 0 : 1,
    unit: 'count',
  });
  return out;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
