// Redis key triage for the keys view (issue 16): keys by prefix, keys without a TTL under a
// pattern, the biggest keys by MEMORY USAGE. Every read is a bounded SCAN (src/util/redis-scan.ts):
// no call touches more than a few hundred keys, the per-batch PTTL / MEMORY USAGE commands are
// pipelined one batch at a time, and each read stops at its key and time bounds or when cancelled.
import type { Redis } from 'ioredis';
import { scanBatches, type ScanBounds, type ScanEnd } from '../util/redis-scan.js';

/** Default bounds of one view read: enough for a clear picture, never a long stall. */
export const KEY_SCAN_DEFAULTS = { count: 200, maxKeys: 100_000, maxMs: 2_000 } as const;

type KeyClient = Pick<Redis, 'scanBuffer' | 'pipeline'>;

export interface PrefixCount {
  prefix: string;
  keys: number;
}

export interface PrefixReport {
  /** Most keys first; a key without the separator counts under its whole name's group `(no prefix)`. */
  prefixes: PrefixCount[];
  scanned: number;
  end: ScanEnd;
}

/** Counts keys by their first `depth` segments split on `separator` (default ':' and 1). */
export async function keysByPrefix(
  client: KeyClient,
  opts: ScanBounds & { pattern?: string; separator?: string; depth?: number } = {},
): Promise<PrefixReport> {
  const sep = Buffer.from(opts.separator ?? ':');
  const depth = opts.depth ?? 1;
  const counts = new Map<string, number>();
  const tally = await scanBatches(client, opts.pattern ?? '*', withDefaults(opts), (keys) => {
    for (const key of keys) {
      let end = -1;
      for (let d = 0; d < depth; d++) {
        const i = key.indexOf(sep, end + 1);
        if (i < 0) break;
        end = i;
      }
      const prefix = end < 0 ? '(no prefix)' : key.subarray(0, end + sep.length).toString('utf8');
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
  });
  const prefixes = [...counts].map(([prefix, keys]) => ({ prefix, keys })).sort((a, b) => b.keys - a.keys);
  return { prefixes, scanned: tally.scanned, end: tally.end };
}

export interface NoTtlReport {
  /** Keys under the pattern that have no expiry. */
  count: number;
  /** The first `sampleSize` of them, as Buffers (names are data). */
  sample: Buffer[];
  scanned: number;
  end: ScanEnd;
}

/** PTTL of each key of one batch, pipelined; -1 is "no TTL", -2 "gone since SCAN returned it". */
export async function pttls(client: Pick<Redis, 'pipeline'>, keys: Buffer[]): Promise<number[]> {
  const p = client.pipeline();
  for (const k of keys) p.pttl(k);
  const res = (await p.exec()) ?? [];
  return res.map(([err, v]) => (err ? -2 : Number(v)));
}

/** Finds the keys under `pattern` that have no TTL. */
export async function keysWithoutTtl(
  client: KeyClient,
  pattern: string,
  opts: ScanBounds & { sampleSize?: number } = {},
): Promise<NoTtlReport> {
  const sampleSize = opts.sampleSize ?? 20;
  const sample: Buffer[] = [];
  let count = 0;
  const tally = await scanBatches(client, pattern, withDefaults(opts), async (keys) => {
    const ttls = await pttls(client, keys);
    keys.forEach((k, i) => {
      if (ttls[i] !== -1) return;
      count++;
      if (sample.length < sampleSize) sample.push(k);
    });
  });
  return { count, sample, scanned: tally.scanned, end: tally.end };
}

export interface BigKey {
  key: Buffer;
  bytes: number;
}

export interface BigKeysReport {
  /** Biggest first. */
  keys: BigKey[];
  /** How many keys were measured (the bounded sample). */
  measured: number;
  end: ScanEnd;
}

/**
 * The biggest keys of a bounded sample (`sampleSize` keys, default 10 000): MEMORY USAGE with
 * SAMPLES 5 (Redis's own default, so a big hash or list costs the same as a small one).
 */
export async function biggestKeys(
  client: KeyClient,
  opts: ScanBounds & { pattern?: string; sampleSize?: number; top?: number } = {},
): Promise<BigKeysReport> {
  const top = opts.top ?? 20;
  const best: BigKey[] = [];
  const bounds = { ...withDefaults(opts), maxKeys: opts.sampleSize ?? opts.maxKeys ?? 10_000 };
  const tally = await scanBatches(client, opts.pattern ?? '*', bounds, async (keys) => {
    const p = client.pipeline();
    for (const k of keys) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '5');
    const res = (await p.exec()) ?? [];
    res.forEach(([err, v], i) => {
      if (err || v === null) return; // gone since SCAN returned it
      best.push({ key: keys[i]!, bytes: Number(v) });
    });
    best.sort((a, b) => b.bytes - a.bytes);
    best.length = Math.min(best.length, top);
  });
  return { keys: best, measured: tally.scanned, end: tally.end };
}

function withDefaults(b: ScanBounds): ScanBounds {
  return {
    count: b.count ?? KEY_SCAN_DEFAULTS.count,
    maxKeys: b.maxKeys ?? KEY_SCAN_DEFAULTS.maxKeys,
    maxMs: b.maxMs ?? KEY_SCAN_DEFAULTS.maxMs,
    ...(b.signal ? { signal: b.signal } : {}),
  };
}
