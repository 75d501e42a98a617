// Redis key scan of 1,000,000 keys (issue 16): opsdeck's biggest-keys read (bounded SCAN with
// COUNT, MEMORY USAGE pipelined per batch, yielding between batches) against the baseline of
// `redis-cli --scan` listing every key plus MEMORY USAGE of all of them pipelined (ioredis, 1000
// a batch) — the same work done as fast as the tools allow. Median of 3, interleaved, one
// sandbox redis-server. Target: at most 1.3×.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { biggestKeys } from '../src/probes/redis-keys.js';
import { startRedis } from '../src/sandbox/index.js';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

const KEYS = 1_000_000;
const RUNS = 3;
const run$ = promisify(execFile);

async function fill(r: Redis): Promise<void> {
  for (let i = 0; i < KEYS; i += 50_000) {
    const p = r.pipeline();
    for (let j = i; j < i + 50_000; j += 1000) {
      const args: string[] = [];
      for (let k = j; k < j + 1000; k++) args.push(`p${k % 10}:key:${k}`, `value-${k}`);
      p.mset(...args);
    }
    await p.exec();
  }
}

async function baseline(r: Redis, port: number): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run$('redis-cli', ['-p', String(port), '--scan'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const keys = stdout.split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 1000) {
    const p = r.pipeline();
    for (const k of keys.slice(i, i + 1000)) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '5');
    await p.exec();
  }
  if (keys.length !== KEYS) throw new Error(`redis-cli --scan listed ${keys.length} keys, expected ${KEYS}`);
  return performance.now() - t0;
}

async function ours(r: Redis): Promise<number> {
  const t0 = performance.now();
  const rep = await biggestKeys(r, { sampleSize: KEYS * 2, maxMs: 600_000 });
  if (rep.measured !== KEYS) throw new Error(`scanner measured ${rep.measured} keys, expected ${KEYS}`);
  return performance.now() - t0;
}

export async function run(): Promise<Row[]> {
  const server = await startRedis();
  const r = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await r.connect();
    await fill(r);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      b.push(await baseline(r, server.port));
      a.push(await ours(r));
    }
    return [
      {
        name: 'Redis key scan + MEMORY USAGE, 1 M keys',
        unit: 'ms',
        opsdeck: median(a),
        baseline: median(b),
        baselineName: 'redis-cli --scan + MEMORY USAGE pipelined',
        target: '≤ 1.3×',
      },
    ];
  } finally {
    r.disconnect();
    await server.stop();
  }
}
