// The manual's daily Redis clean-up (`cache:*` keys with no TTL) as a plan (issue 16): the
// blast radius counts the TTL-less keys under the pattern and shows a sample before anything is
// confirmed; the one step then re-SCANs and deletes, one batch at a time, exactly the keys that
// still have no TTL. Each batch is one short Lua call (PTTL then UNLINK per key, atomic, so a key
// given a TTL in the meantime is kept). Cancelling stops between two batches; re-running
// continues, since it scans again and only TTL-less keys are left to find.
import type { Redis } from 'ioredis';
import type { Plan } from '../plan/plan.js';
import { scanBatches, showKey, type ScanBounds } from '../util/redis-scan.js';

type CleanupClient = Pick<Redis, 'scanBuffer' | 'pipeline' | 'eval'>;

export interface RedisCleanupOptions {
  /** Where the server is, for the plan's target line (never the password). */
  endpoint: string;
  /** SCAN COUNT per batch (default 200). */
  count?: number;
  /** Keys shown in the plan before confirming (default 10). */
  sampleSize?: number;
  /** Time bound of the count shown before confirming, ms (default 10 s). */
  countMs?: number;
}

/** PTTL then UNLINK for each key in KEYS that has no TTL; returns how many went. */
const UNLINK_IF_NO_TTL = `local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('PTTL', k) == -1 then
    redis.call('UNLINK', k)
    n = n + 1
  end
end
return n`;

/** Counts the TTL-less keys under `pattern`, with a sample (PTTL pipelined per batch). */
export async function countWithoutTtl(
  client: Pick<Redis, 'scanBuffer' | 'pipeline'>,
  pattern: string,
  bounds: ScanBounds & { sampleSize?: number },
): Promise<{ count: number; sample: Buffer[]; scanned: number; complete: boolean }> {
  const sample: Buffer[] = [];
  let count = 0;
  const tally = await scanBatches(client, pattern, bounds, async (keys) => {
    const p = client.pipeline();
    for (const k of keys) p.pttl(k);
    const res = (await p.exec()) ?? [];
    res.forEach(([err, v], i) => {
      if (err || Number(v) !== -1) return;
      count++;
      if (sample.length < (bounds.sampleSize ?? 10)) sample.push(keys[i]!);
    });
  });
  return { count, sample, scanned: tally.scanned, complete: tally.end === 'complete' };
}

/** The clean-up plan: delete every key under `pattern` that has no TTL. */
export function redisCleanupPlan(client: CleanupClient, pattern: string, opts: RedisCleanupOptions): Plan {
  if (pattern.trim() === '') throw new Error('redis cleanup: give a key pattern, e.g. "cache:*"');
  const count = opts.count ?? 200;
  return {
    action: 'redis.cleanup',
    target: `${pattern} (${opts.endpoint})`,
    danger: 'confirm',
    steps: [
      {
        id: 'unlink',
        title: `delete the keys under ${pattern} that have no TTL`,
        cancellable: true,
        describe: () => ({
          kind: 'api',
          text: `SCAN MATCH ${pattern} COUNT ${count}; per batch: UNLINK each key whose PTTL is -1 (one Lua call)`,
        }),
        run: async (ctx) => {
          let deleted = 0;
          const tally = await scanBatches(client, pattern, { count, signal: ctx.signal }, async (keys) => {
            deleted += Number(await client.eval(UNLINK_IF_NO_TTL, keys.length, ...keys));
            ctx.progress({ done: deleted, unit: 'items', label: 'keys deleted' });
          });
          return `deleted ${deleted} key${deleted === 1 ? '' : 's'} of ${tally.scanned} scanned`;
        },
      },
    ],
    blastRadius: async (signal) => {
      try {
        const r = await countWithoutTtl(client, pattern, {
          count,
          maxMs: opts.countMs ?? 10_000,
          signal,
          sampleSize: opts.sampleSize ?? 10,
        });
        const lines = [
          `${r.count}${r.complete ? '' : '+'} key${r.count === 1 ? '' : 's'} under ${pattern} without a TTL ` +
            `(${r.scanned} scanned${r.complete ? '' : ', count stopped at its time bound'})`,
        ];
        for (const k of r.sample) lines.push(`e.g. ${showKey(k)}`);
        return lines;
      } catch (err) {
        return [`could not count the keys: ${err instanceof Error ? err.message : String(err)}`];
      }
    },
  };
}
