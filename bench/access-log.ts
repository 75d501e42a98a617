// Access-log figures (issue 15, point 7): a generated nginx access log (combined + $request_time)
// counted by the real pipeline — the file's history read on open by the follower, classified,
// parsed and aggregated (requests per minute, status classes, top clients and paths, average /
// p95 / slow) — against `awk` computing requests per minute, status classes and per-client
// counts over the same file in the same run. Memory: heap growth while counting. Medians of RUNS.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatClfTime } from '../src/logs/access.js';
import { openLogTail } from '../src/logs/tail.js';
import type { Row } from './types.js';

const LINES = Number(process.env.OPSDECK_BENCH_ACCESS_LINES) || 500_000;
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** LINES requests over the last 50 minutes from ~200k distinct clients (a few heavy ones). */
function generate(file: string, now: number): void {
  const parts: string[] = [];
  let x = 42;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < LINES; i++) {
    const stamp = formatClfTime(now - 50 * 60_000 + Math.floor((50 * 60_000 * i) / LINES));
    const r = rnd();
    const c = r < 0.3 ? Math.floor(r * 30) : Math.floor(rnd() * 200_000);
    const ip = `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`;
    const status = rnd() < 0.9 ? 200 : rnd() < 0.5 ? 404 : 502;
    parts.push(
      `${ip} - - [${stamp}] "GET /api/v1/r${Math.floor(rnd() * 300)}?id=${i} HTTP/1.1" ${status} ${100 + (i % 9000)} ` +
        `"https://example.org/" "Mozilla/5.0 (X11; Linux x86_64)" ${(rnd() * 1.2).toFixed(3)}`,
    );
  }
  writeFileSync(file, `${parts.join('\n')}\n`);
}

// Per minute ($4 is [dd/Mon/yyyy:hh:mm:ss), per status class ($9) and per client ($1), like the manual's awk lines.
const AWK =
  '{ m[substr($4, 2, 17)]++; s[substr($9, 1, 1)]++; c[$1]++ } ' +
  'END { for (k in m) print "m", m[k], k; for (k in s) print "s", s[k], k; for (k in c) print "c", c[k], k }';

function awk(file: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile('awk', [AWK, file], { maxBuffer: 256 * 1024 * 1024 }, (err) =>
      err ? reject(err) : resolve(performance.now() - t0),
    ),
  );
}

async function opsdeck(file: string, now: number): Promise<{ ms: number; heapGrowth: number }> {
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const t0 = performance.now();
  const tail = openLogTail({
    source: { name: 'bench', file, access: { format: 'combined', historyBytes: statSync(file).size } },
    bufferLines: 10_000,
    file: { pollMs: 20 },
    now: () => now,
  });
  try {
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        const a = tail.access!;
        if (a.parsed + a.unparsed + a.tooOld >= LINES) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const ms = performance.now() - t0;
    const s = tail.access!.summary('1h');
    if (s.requests !== LINES) throw new Error(`counted ${s.requests} requests, expected ${LINES}`);
    return { ms, heapGrowth: peak - heap0 };
  } finally {
    await tail.stop();
  }
}

/** Lines/s of opsdeck's access counting (history on open) against awk over the same file; heap growth. */
export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-access-'));
  const file = path.join(dir, 'access.log');
  const now = Date.UTC(2026, 11, 4, 12, 0, 30);
  const ours: number[] = [];
  const base: number[] = [];
  let heap = 0;
  try {
    generate(file, now);
    process.stderr.write(`bench: access-log: ${LINES} lines, ${(statSync(file).size / 1e6).toFixed(0)} MB\n`);
    for (let i = 0; i < RUNS; i++) {
      const o = await opsdeck(file, now);
      ours.push((LINES / o.ms) * 1000);
      heap = Math.max(heap, o.heapGrowth);
      base.push((LINES / (await awk(file))) * 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rates = (xs: number[]) => xs.map((v) => v.toFixed(0)).join(', ');
  process.stderr.write(`bench: access-log: opsdeck ${rates(ours)} lines/s; awk ${rates(base)}\n`);
  return [
    {
      name: `access log counted on open, ${LINES / 1000}k lines (lines/s)`,
      unit: 'lines/s',
      opsdeck: median(ours),
      baseline: median(base),
      baselineName: 'awk: per minute, status class, per client',
    },
    {
      name: 'access log counting, peak heap growth (10k-line buffer + aggregator)',
      unit: 'MB',
      opsdeck: heap / (1024 * 1024),
      baseline: 0,
      baselineName: 'before opening',
      target: 'bounded',
    },
  ];
}
