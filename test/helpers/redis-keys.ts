// A Redis database of 200,000 keys with mixed prefixes and TTLs, filled with pipelined MSET/SET,
// and the server-side check that no single command was slow (SLOWLOG).
import type { Redis } from 'ioredis';

export const LAYOUT = {
  user: 100_000, // user:N, no TTL
  session: 60_000, // session:N, TTL
  cacheNoTtl: 25_000, // cache:plain:N, no TTL
  cacheTtl: 15_000, // cache:ttl:N, TTL
} as const;

/** Awkward names, as data: [name, has a TTL]. */
export const ODD_KEYS: [string, boolean][] = [
  ['cache:new\nline', false],
  ['cache:glob*[x]?', false],
  ['cache:sp ace', true],
  ['cache:\\back', false],
  ['cachex', false],
  ['plain', false],
];

export async function fill200k(r: Redis): Promise<void> {
  await r.flushdb();
  const mset = async (prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i += 10_000) {
      const p = r.pipeline();
      for (let j = i; j < Math.min(n, i + 10_000); j += 500) {
        const args: string[] = [];
        for (let k = j; k < Math.min(n, j + 500); k++) args.push(`${prefix}${k}`, 'v');
        p.mset(...args);
      }
      await p.exec();
    }
  };
  const setEx = async (prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i += 10_000) {
      const p = r.pipeline();
      for (let k = i; k < Math.min(n, i + 10_000); k++) p.set(`${prefix}${k}`, 'v', 'EX', 3600);
      await p.exec();
    }
  };
  await mset('user:', LAYOUT.user);
  await setEx('session:', LAYOUT.session);
  await mset('cache:plain:', LAYOUT.cacheNoTtl);
  await setEx('cache:ttl:', LAYOUT.cacheTtl);
  for (const [k, ttl] of ODD_KEYS) await (ttl ? r.set(k, 'v', 'EX', 3600) : r.set(k, 'v'));
}

/**
 * Starts recording every command slower than `us` microseconds, and zeroes INFO commandstats.
 * The bound is on the worst single call (SLOWLOG) and, separately, on the mean (commandstats):
 * on a shared 2-core box the OS can preempt redis-server in any one call for a few ms.
 */
export async function armSlowlog(r: Redis, us: number): Promise<void> {
  await r.config('RESETSTAT');
  await r.config('SET', 'slowlog-log-slower-than', String(us));
  await r.config('SET', 'slowlog-max-len', '1000');
  await r.slowlog('RESET');
}

/** The slow commands recorded since armSlowlog whose name is one of `names`: "SCAN 0 … (5123 us)". */
export async function slowCommands(r: Redis, names: string[]): Promise<string[]> {
  const entries = (await r.slowlog('GET', 1000)) as [number, number, number, string[]][];
  return entries
    .filter((e) => names.includes(String(e[3][0]).toUpperCase()))
    .map((e) => `${e[3].slice(0, 6).join(' ')} (${e[2]} us)`);
}

/** Mean server-side time per call of `command` since the last CONFIG RESETSTAT, from INFO commandstats. */
export async function meanUsPerCall(r: Redis, command: string): Promise<number> {
  const text = await r.info('commandstats');
  const m = new RegExp(`^cmdstat_${command.toLowerCase().replace('|', '\\|')}:.*usec_per_call=([0-9.]+)`, 'm').exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}
