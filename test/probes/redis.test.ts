// The Redis probe against a dedicated real server (reconfigured, stopped and frozen here), and
// the INFO parser against captured samples.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisInfo, RedisProbe, type RedisReading } from '../../src/probes/redis.js';
import type { ProbeResult } from '../../src/probes/types.js';
import type { RedisConnection } from '../../src/config/resolve.js';
import { startRedis, type RedisSandbox } from '../../src/sandbox/index.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = 1000;
const signal = () => new AbortController().signal;
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseRedisInfo', () => {
  it('types a master INFO with keyspace', () => {
    const i = parseRedisInfo(fixture('redis-info-master.txt'));
    expect(i).toMatchObject({
      version: '7.0.15',
      mode: 'standalone',
      role: 'master',
      maxclients: 10000,
      maxmemory: 0,
      maxmemoryPolicy: 'noeviction',
      rdbLastBgsaveStatus: 'ok',
      aofEnabled: false,
      masterLinkStatus: null,
      evictedKeys: 0,
      keyspace: [
        { db: 0, keys: 2, expires: 1 },
        { db: 2, keys: 1, expires: 0 },
      ],
    });
    expect(i.usedMemory).toBeGreaterThan(0);
    expect(i.fields.mem_allocator).toMatch(/jemalloc/);
  });

  it('types a replica INFO', () => {
    const i = parseRedisInfo(fixture('redis-info-replica.txt'));
    expect(i).toMatchObject({ role: 'slave', masterHost: '127.0.0.1:6379', masterLinkStatus: 'down' });
  });

  it('rejects text that is not INFO', () => {
    expect(() => parseRedisInfo('hello')).toThrow(/redis_version/);
  });
});

describe.skipIf(unavailable('redis'))('redis probe', () => {
  let server: RedisSandbox;
  let admin: Redis;
  let probe: RedisProbe;
  const conn = (o: Partial<RedisConnection> = {}): RedisConnection => ({
    host: server.host,
    port: server.port,
    db: 0,
    tls: false,
    interval: 2000,
    ...o,
  });
  const metric = (r: ProbeResult<RedisReading>, id: string) => r.metrics.find((m) => m.metric === id)?.value;
  const ok = async (): Promise<ProbeResult<RedisReading> & { ok: true }> => {
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
    return r;
  };

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await admin.connect();
    probe = new RedisProbe(conn(), TIMEOUT);
  });
  afterAll(async () => {
    await probe?.close();
    admin?.disconnect();
    await server?.stop();
  });

  it('reads version, role, clients, persistence and keyspace', async () => {
    await admin.set('k1', 'v');
    await admin.set('k2', 'v', 'EX', 100);
    const r = await ok();
    const h = r.reading;
    expect(h.version).toMatch(/^\d+\.\d+/);
    expect(h.role).toBe('master');
    expect(h.clients.connected).toBeGreaterThanOrEqual(2);
    expect(h.clients.max).toBeGreaterThan(0);
    expect(h.memory).toMatchObject({ maxBytes: null, percent: null });
    expect(h.persistence.rdbLastSaveOk).toBe(true);
    expect(h.keyspace).toEqual([{ db: 0, keys: 2, expires: 1 }]);
    expect(metric(r, 'redis.reachable')).toBe(1);
    expect(metric(r, 'redis.rdbLastSaveFailed')).toBe(0);
    expect(r.metrics.some((m) => m.metric === 'redis.memory')).toBe(false); // no maxmemory: nothing to judge
    const clientList = await admin.client('LIST');
    expect(String(clientList).match(/name=opsdeck/g)).toHaveLength(1);
  });

  it('shows memory % crossing 80 and 90 of maxmemory', async () => {
    const used = (await ok()).reading.memory.usedBytes;
    await admin.config('SET', 'maxmemory', String(Math.round(used / 0.85)));
    const mid = await ok();
    expect(mid.reading.memory.percent).toBeGreaterThanOrEqual(80);
    expect(mid.reading.memory.percent).toBeLessThan(90);
    expect(metric(mid, 'redis.memory')).toBe(mid.reading.memory.percent);
    await admin.config('SET', 'maxmemory', String(Math.round(used / 0.97)));
    expect(metric(await ok(), 'redis.memory')).toBeGreaterThanOrEqual(90);
    await admin.config('SET', 'maxmemory', '0');
  });

  it('reports evictions per second from the second read on', async () => {
    await ok(); // baseline
    const used = (await ok()).reading.memory.usedBytes;
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await admin.config('SET', 'maxmemory', String(used + 200_000));
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 20; i++) {
      const p = admin.pipeline();
      for (let j = 0; j < 100; j++) p.set(`evict:${i}:${j}`, value);
      await p.exec();
    }
    const r = await ok();
    expect(r.reading.evictedKeys).toBeGreaterThan(0);
    expect(r.reading.evictionsPerSecond).toBeGreaterThan(0);
    expect(metric(r, 'redis.evictionsPerSecond')).toBe(r.reading.evictionsPerSecond);
    await admin.config('SET', 'maxmemory', '0');
    await admin.flushall();
  });

  it('says auth, without the password, when the password is wrong or missing', async () => {
    await admin.config('SET', 'requirepass', 'Right-pw-123');
    try {
      for (const password of ['Wr0ng-s3cret-pw', undefined]) {
        const p = new RedisProbe(conn(password ? { password } : {}), TIMEOUT);
        const r = await p.read(signal());
        await p.close();
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.kind, r.error.message).toBe('auth');
          expect(r.error.message).not.toContain('Wr0ng-s3cret-pw');
          expect(r.error.message).not.toContain('Right-pw-123');
        }
      }
      const right = new RedisProbe(conn({ password: 'Right-pw-123' }), TIMEOUT);
      expect((await right.read(signal())).ok).toBe(true);
      await right.close();
    } finally {
      await admin.config('SET', 'requirepass', '');
    }
  });

  it('is unreachable while stopped and recovers with the same probe object', async () => {
    await ok();
    admin.disconnect();
    await server.halt();
    const down = await probe.read(signal());
    expect(down.ok).toBe(false);
    if (!down.ok) expect(down.error.kind).toBe('unreachable');
    expect(metric(down, 'redis.reachable')).toBe(0);
    const again = await probe.read(signal());
    if (!again.ok) expect(again.error.kind).toBe('unreachable');
    await server.start();
    expect((await ok()).reading.role).toBe('master');
  });

  it('times out within the probe timeout when the server is frozen, and recovers after', async () => {
    await ok();
    server.freeze();
    try {
      for (const phase of ['open connection', 'new connection']) {
        const t0 = performance.now();
        const r = await probe.read(signal());
        const took = performance.now() - t0;
        expect(r.ok, phase).toBe(false);
        if (!r.ok) expect(r.error.kind, phase).toBe('timeout');
        expect(took, phase).toBeLessThan(TIMEOUT + 500);
      }
    } finally {
      server.thaw();
    }
    await waitFor(() => ok(), { timeoutMs: 20_000, what: 'a good read after the thaw' });
  });
});
