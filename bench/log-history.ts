// Log history (issue 15): the built `opsdeck logs` end to end against the manual's tools, in the
// same run, over the same files, output to /dev/null, medians of RUNS interleaved runs.
//   search:          `opsdeck logs app.log --grep RE`  vs  `zgrep -h RE app.log app.log.1 app.log.2.gz …`
//                    over 1 GB of log text: app.log and app.log.1 plain, the rest gzipped (mostly .gz).
//   errors per hour: `opsdeck logs app.log --errors-per-hour`  vs
//                    `awk '/ERROR/ {print substr($1,1,13)}' app.log.1 app.log | sort | uniq -c`
//                    over 24 h in 2 GB of plain text (yesterday's and today's file).
// Sizes scale with OPSDECK_BENCH_HISTORY_MB (default 1024; the errors-per-hour set is twice that).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Row } from './types.js';

const MB = Number(process.env.OPSDECK_BENCH_HISTORY_MB) || 1024;
const RUNS = Number(process.env.OPSDECK_BENCH_HISTORY_RUNS) || 3;
const BIN = path.resolve('bin/opsdeck.js');
const RE = 'status=50[23] .*user=u9[0-9]7 ';
const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'INFO', 'WARN', 'INFO', 'INFO', 'INFO'];

/** Writes `bytes` of log text spread evenly over [from, to) into `out`; 1 line in 40 is an ERROR. */
async function writeLog(
  out: NodeJS.WritableStream & { end(cb?: () => void): unknown },
  bytes: number,
  from: number,
  to: number,
  seed: number,
): Promise<void> {
  let x = seed >>> 0 || 1;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 8);
  const lineBytes = 140;
  const n = Math.floor(bytes / lineBytes);
  const step = (to - from) / n;
  let block = '';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const level = r % 40 === 0 ? 'ERROR' : LEVELS[r % 10]!;
    const status = level === 'ERROR' ? 500 + (r % 4) : 200;
    const at = new Date(from + i * step).toISOString();
    const req = `req=${(r * 7919) % 1e9} user=u${r % 5000} path=/api/v1/items/${(r >>> 3) % 20000}`;
    block += `${at} ${level} app.worker[${r % 97}] ${req} took=${r % 2000}ms status=${status} ok\n`;
    if (block.length > 1 << 20) {
      if (!out.write(block)) await new Promise((res) => out.once('drain', res));
      block = '';
    }
  }
  out.write(block);
  await new Promise<void>((res) => out.end(() => res()));
}

async function plain(file: string, bytes: number, from: number, to: number, seed: number): Promise<void> {
  const ws: WriteStream = createWriteStream(file);
  const done = new Promise<void>((res) => ws.once('close', () => res()));
  await writeLog(ws, bytes, from, to, seed);
  await done;
}

async function gz(file: string, bytes: number, from: number, to: number, seed: number): Promise<void> {
  const ws = createWriteStream(file);
  const done = new Promise<void>((res) => ws.once('close', () => res()));
  const z = createGzip({ level: 6 });
  z.pipe(ws);
  await writeLog(z, bytes, from, to, seed);
  await done;
}

function timed(argv: string[], shell = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c = shell
      ? spawn('sh', ['-c', `${argv.join(' ')} > /dev/null`], { stdio: ['ignore', 'ignore', 'inherit'] })
      : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
    c.once('error', reject);
    c.once('close', (code) =>
      code === 0 || code === 1 ? resolve(performance.now() - t0) : reject(new Error(`${argv[0]} exited ${code}`)),
    );
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-history-'));
  try {
    const now = Date.now();
    const H = 3_600_000;
    // Search set: 8 files of MB/8 of text each, a day each; .1 plain (delaycompress), .2.gz … .7.gz.
    const s = path.join(dir, 'search');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(s);
    const log = path.join(s, 'app.log');
    const files = [log, `${log}.1`, ...[2, 3, 4, 5, 6, 7].map((i) => `${log}.${i}.gz`)];
    const each = (MB * 1e6) / files.length;
    await Promise.all(
      files.map((f, i) => (f.endsWith('.gz') ? gz : plain)(f, each, now - (i + 1) * 24 * H, now - i * 24 * H, 7 + i)),
    );
    const onDisk = files.reduce((a, f) => a + statSync(f).size, 0);
    process.stderr.write(`bench: log-history: search set ${MB} MB of text, ${(onDisk / 1e6).toFixed(0)} MB on disk\n`);
    // Errors-per-hour set: 2×MB of plain text over the last 24 h.
    const e = path.join(dir, 'eph');
    mkdirSync(e);
    const elog = path.join(e, 'app.log');
    await Promise.all([
      plain(`${elog}.1`, MB * 1e6, now - 24 * H, now - 12 * H, 101),
      plain(elog, MB * 1e6, now - 12 * H, now, 102),
    ]);
    const node = [process.execPath, BIN];
    const search: number[] = [];
    const zgrep: number[] = [];
    const eph: number[] = [];
    const awk: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      search.push(await timed([...node, 'logs', log, '--grep', RE]));
      zgrep.push(await timed(['zgrep', '-h', '--', RE, ...files]));
      eph.push(await timed([...node, 'logs', elog, '--errors-per-hour']));
      awk.push(
        await timed([`awk '/ERROR/ {print substr($1,1,13)}' ${q(`${elog}.1`)} ${q(elog)} | sort | uniq -c`], true),
      );
    }
    return [
      {
        name: `log history: search ${MB} MB (6 of 8 files .gz) for a regex`,
        unit: 'ms',
        opsdeck: median(search),
        baseline: median(zgrep),
        baselineName: 'zgrep -h',
        target: '≤ 1.2×',
      },
      {
        name: `log history: errors per hour, 24 h in ${2 * MB} MB`,
        unit: 'ms',
        opsdeck: median(eph),
        baseline: median(awk),
        baselineName: "awk '/ERROR/…' | sort | uniq -c",
        target: '≤ 1.2×',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
