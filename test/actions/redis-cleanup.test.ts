// The daily Redis clean-up plan against a real redis-server with 200,000 keys and mixed TTLs:
// the plan's count and sample, exactly the TTL-less cache:* keys deleted, read-only refusal,
// cancel midway then re-run, audit, and no slow call on the server.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCleanupPlan } from '../../src/actions/redis-cleanup.js';
import { executePlan } from '../../src/plan/execute.js';
import { formatPlan } from '../../src/plan/plan.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { startRedis, type RedisSandbox } from '../../src/sandbox/index.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { armSlowlog, fill200k, LAYOUT, meanUsPerCall, ODD_KEYS, slowCommands } from '../helpers/redis-keys.js';

/** Every key under `pattern` with its PTTL (-1: none), read with SCAN in the test's own loop. */
async function census(r: Redis, pattern: string): Promise<{ noTtl: Set<string>; withTtl: number; total: number }> {
  const noTtl = new Set<string>();
  let withTtl = 0;
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const p = r.pipeline();
    for (const k of keys) p.pttl(k);
    const res = (await p.exec())!;
    keys.forEach((k, i) => {
      total++;
      if (Number(res[i]![1]) === -1) noTtl.add(k);
      else withTtl++;
    });
  } while (cursor !== '0');
  return { noTtl, withTtl, total };
}

describe('Redis clean-up plan (200,000 keys)', () => {
  let server: RedisSandbox;
  let r: Redis;
  const endpoint = 'test';
  beforeAll(async () => {
    server = await startRedis();
    r = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await r.connect();
  }, 30_000);
  afterAll(async () => {
    r?.disconnect();
    await server?.stop();
  });

  it('shows the count and a sample first, and is refused in read-only mode with nothing deleted', async () => {
    await fill200k(r);
    const plan = redisCleanupPlan(r, 'cache:*', { endpoint, sampleSize: 3 });
    const blast = await plan.blastRadius!(AbortSignal.timeout(60_000));
    expect(blast[0]).toBe(`${LAYOUT.cacheNoTtl + 3} keys under cache:* without a TTL (40004 scanned)`);
    expect(blast.slice(1)).toHaveLength(3);
    expect(formatPlan(plan, blast).join('\n')).toContain('UNLINK each key whose PTTL is -1');

    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: true, audit, timer: false });
    const out = await executePlan(plan, { guard, audit });
    expect(out.result).toBe('refused');
    expect(audit.entries.map((e) => e.event)).toEqual(['refused']);
    expect(await r.dbsize()).toBe(200_000 + ODD_KEYS.length);
  }, 120_000);

  it('cancelled midway then re-run: deletes exactly the TTL-less cache:* keys, no slow call', async () => {
    await fill200k(r);
    const before = await census(r, 'cache:*');
    expect(before.noTtl.size).toBe(LAYOUT.cacheNoTtl + 3);
    await armSlowlog(r, 10_000);

    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: false, audit, timer: false });
    const ac = new AbortController();
    const first = await executePlan(redisCleanupPlan(r, 'cache:*', { endpoint }), {
      guard,
      audit,
      signal: ac.signal,
      onUpdate: (run) => {
        if ((run.steps[0]?.progress?.done ?? 0) >= 5_000) ac.abort();
      },
    });
    expect(first.result).toBe('cancelled');
    const mid = await census(r, 'cache:*');
    expect(mid.noTtl.size).toBeGreaterThan(0);
    expect(mid.noTtl.size).toBeLessThan(before.noTtl.size);
    expect(mid.withTtl).toBe(before.withTtl);

    const second = await executePlan(redisCleanupPlan(r, 'cache:*', { endpoint }), { guard, audit });
    expect(second.result).toBe('succeeded');
    expect(second.steps[0]!.note).toBe(`deleted ${mid.noTtl.size} keys of ${mid.total} scanned`);
    const after = await census(r, 'cache:*');
    expect(after.noTtl.size).toBe(0);
    expect(after.withTtl).toBe(LAYOUT.cacheTtl + 1);
    expect(await r.exists('cache:sp ace', 'cachex', 'plain', 'user:0', 'session:0')).toBe(5);
    expect(await r.dbsize()).toBe(200_000 + ODD_KEYS.length - before.noTtl.size);
    expect(audit.entries.map((e) => `${e.event} ${e.action}`)).toEqual([
      'confirmed redis.cleanup',
      'cancelled redis.cleanup',
      'confirmed redis.cleanup',
      'succeeded redis.cleanup',
    ]);
    expect(await slowCommands(r, ['SCAN', 'EVAL', 'UNLINK'])).toEqual([]);
    expect(await meanUsPerCall(r, 'scan')).toBeLessThan(1_000);
    expect(await meanUsPerCall(r, 'eval')).toBeGreaterThan(0);
    expect(await meanUsPerCall(r, 'eval')).toBeLessThan(1_000);
  }, 180_000);
});
