// The Redis key scanner against a real redis-server with 200,000 keys: counts by prefix, keys
// without TTL, biggest keys, bounds and cancel — and, server-side, no SCAN or MEMORY call slow.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biggestKeys, keysByPrefix, keysWithoutTtl } from '../../src/probes/redis-keys.js';
import { escapeGlob, scanBatches, ScanCancelled } from '../../src/util/redis-scan.js';
import { startRedis, type RedisSandbox } from '../../src/sandbox/index.js';
import { armSlowlog, fill200k, LAYOUT, meanUsPerCall, ODD_KEYS, slowCommands } from '../helpers/redis-keys.js';

// "A few ms": SCAN and MEMORY USAGE are the calls whose cost grows with COUNT and value size; O(1)
// commands such as PTTL are left out, a 2-core CI box can preempt any single one of them.
const SLOW_US = 10_000;
const MEAN_US = 1_000;
const UNBOUNDED = { maxKeys: 1_000_000, maxMs: 120_000 };

describe('Redis key scanner (200,000 keys)', () => {
  let server: RedisSandbox;
  let r: Redis;
  beforeAll(async () => {
    server = await startRedis();
    r = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await r.connect();
    await fill200k(r);
    expect(await r.dbsize()).toBe(200_000 + ODD_KEYS.length);
  }, 120_000);
  afterAll(async () => {
    r?.disconnect();
    await server?.stop();
  });

  it('counts keys by prefix exactly, and no SCAN call is slow on the server', async () => {
    await armSlowlog(r, SLOW_US);
    const rep = await keysByPrefix(r, UNBOUNDED);
    expect(rep.end).toBe('complete');
    const by = Object.fromEntries(rep.prefixes.map((p) => [p.prefix, p.keys]));
    expect(by).toEqual({
      'user:': LAYOUT.user,
      'session:': LAYOUT.session,
      'cache:': LAYOUT.cacheNoTtl + LAYOUT.cacheTtl + 4,
      '(no prefix)': 2,
    });
    expect(rep.prefixes[0]!.prefix).toBe('user:');
    expect(await slowCommands(r, ['SCAN'])).toEqual([]);
    expect(await meanUsPerCall(r, 'scan')).toBeGreaterThan(0);
    expect(await meanUsPerCall(r, 'scan')).toBeLessThan(MEAN_US);
  }, 60_000);

  it('counts by two levels of prefix', async () => {
    const rep = await keysByPrefix(r, { ...UNBOUNDED, pattern: 'cache:*', depth: 2 });
    const by = Object.fromEntries(rep.prefixes.map((p) => [p.prefix, p.keys]));
    expect(by['cache:plain:']).toBe(LAYOUT.cacheNoTtl);
    expect(by['cache:ttl:']).toBe(LAYOUT.cacheTtl);
  }, 60_000);

  it('finds the keys without TTL under a pattern, names as data', async () => {
    await armSlowlog(r, SLOW_US);
    const rep = await keysWithoutTtl(r, 'cache:*', { ...UNBOUNDED, sampleSize: 1_000_000 });
    expect(rep.end).toBe('complete');
    expect(rep.count).toBe(LAYOUT.cacheNoTtl + 3);
    const names = new Set(rep.sample.map((k) => k.toString()));
    expect(names.has('cache:new\nline')).toBe(true);
    expect(names.has('cache:glob*[x]?')).toBe(true);
    expect(names.has('cache:sp ace')).toBe(false);
    expect([...names].some((n) => n.startsWith('cache:ttl:'))).toBe(false);
    expect(await slowCommands(r, ['SCAN'])).toEqual([]);
  }, 60_000);

  it('a literal prefix with glob characters matches only itself once escaped', async () => {
    const rep = await keysWithoutTtl(r, `${escapeGlob('cache:glob*[x]?')}`, UNBOUNDED);
    expect(rep.sample.map(String)).toEqual(['cache:glob*[x]?']);
  });

  it('the biggest keys of a bounded sample, MEMORY USAGE never slow', async () => {
    await r.set('user:huge', 'x'.repeat(200_000));
    try {
      await armSlowlog(r, SLOW_US);
      const rep = await biggestKeys(r, { pattern: 'user:*', sampleSize: 1_000_000, maxMs: 120_000, top: 5 });
      expect(rep.measured).toBe(LAYOUT.user + 1);
      expect(rep.keys).toHaveLength(5);
      expect(rep.keys[0]!.key.toString()).toBe('user:huge');
      expect(rep.keys[0]!.bytes).toBeGreaterThan(200_000);
      expect(await slowCommands(r, ['SCAN', 'MEMORY'])).toEqual([]);
      expect(await meanUsPerCall(r, 'memory|usage')).toBeGreaterThan(0);
      expect(await meanUsPerCall(r, 'memory|usage')).toBeLessThan(MEAN_US);
      const bounded = await biggestKeys(r, { sampleSize: 1_000 });
      expect(bounded.measured).toBe(1_000);
      expect(bounded.end).toBe('max-keys');
    } finally {
      await r.del('user:huge');
    }
  }, 60_000);

  it('stops at its key and time bounds', async () => {
    const few = await keysByPrefix(r, { maxKeys: 5_000, maxMs: 60_000 });
    expect(few.end).toBe('max-keys');
    expect(few.scanned).toBe(5_000);
    const quick = await keysByPrefix(r, { maxKeys: 1_000_000, maxMs: 1 });
    expect(quick.end).toBe('time');
    expect(quick.scanned).toBeLessThan(200_000);
  });

  it('is cancellable between batches', async () => {
    const ac = new AbortController();
    let batches = 0;
    const scan = scanBatches(r, '*', { count: 100, signal: ac.signal }, () => {
      if (++batches === 3) ac.abort();
    });
    await expect(scan).rejects.toBeInstanceOf(ScanCancelled);
    expect(batches).toBe(3);
  });
});
