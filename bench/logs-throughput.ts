// Log tail throughput: a writer producing lines as fast as it can, followed by the real pipeline
// (file follow → classify → frame batching → bounded buffer → the filtered view a pane renders on
// every frame). Baselines in the same run: reading the same file with plain fs, and the writer's
// own rate. Memory: peak RSS while tailing against RSS before. Medians of RUNS runs.
import { spawn } from 'node:child_process';
import { copyFileSync, createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLogTail, type LogTail } from '../src/logs/tail.js';
import type { Row } from './types.js';

const LINES = Number(process.env.OPSDECK_BENCH_LOG_LINES) || 500_000;
const RUNS = 3;
const PANE_ROWS = 40;

// The writer: 1 line in 50 is an ERROR, 1 in 20 a WARN, ~110 bytes each, written in 64 KiB blocks.
const WRITER = `
const fs = require('node:fs');
const [file, total] = [process.argv[1], Number(process.argv[2])];
const fd = fs.openSync(file, 'a');
const pad = 'x'.repeat(60);
let block = '';
const t0 = process.hrtime.bigint();
for (let i = 0; i < total; i++) {
  const level = i % 50 === 0 ? 'ERROR' : i % 20 === 0 ? 'WARN' : 'INFO';
  block += '2025-01-01T03:00:00.000Z ' + level + ' worker[' + (i % 7) + '] request ' + i + ' ' + pad + '\\n';
  if (block.length > 65536) { fs.writeSync(fd, block); block = ''; }
}
if (block) fs.writeSync(fd, block);
fs.closeSync(fd);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runWriter(file: string, lines: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, file, String(lines)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer exited ${code}`))));
  });
}

interface TailRun {
  ms: number;
  frames: number;
  peakRss: number;
  startRss: number;
}

/** Tails `file` while `produce` writes LINES lines into it; resolves when the last one has been buffered. */
async function tailWhile(file: string, produce: () => Promise<unknown>): Promise<TailRun> {
  globalThis.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let frames = 0;
  let tail: LogTail | null = null;
  let ready!: () => void;
  const following = new Promise<void>((r) => (ready = r));
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  tail = openLogTail({
    source: { name: 'bench', file },
    bufferLines: 10_000,
    frameMs: 75,
    file: { pollMs: 50, initialLines: 0 },
    onFrame: (f) => {
      frames++;
      if (f.status.some((s) => s.startsWith('following'))) ready();
      // What a pane does on each frame: ask for its rows through the active filter.
      tail!.view(PANE_ROWS);
      if (tail!.stats().received >= LINES) done();
    },
  });
  tail.setFilter('error');
  await following;
  const framesBefore = frames;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    await produce();
    await finished;
    return { ms: performance.now() - t0, frames: frames - framesBefore, peakRss, startRss };
  } finally {
    clearInterval(sampler);
    await tail.stop();
  }
}

async function rawRead(file: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  if (n !== LINES) throw new Error(`raw read counted ${n} lines, expected ${LINES}`);
  return performance.now() - t0;
}

/** Lines/s of the tail pipeline (burst and live) against raw fs reading and the writer itself; RSS bounded. */
export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-logs-'));
  const burst: number[] = [];
  const raw: number[] = [];
  const live: number[] = [];
  const writer: number[] = [];
  const fps: number[] = [];
  let peak = 0;
  let start = Infinity;
  try {
    // A reference file written once: the burst runs append it whole, the raw baseline reads it.
    const ref = path.join(dir, 'ref.log');
    await runWriter(ref, LINES);
    process.stderr.write(
      `bench: logs-throughput: ${LINES} lines, ${(statSync(ref).size / 1e6).toFixed(0)} MB per run\n`,
    );
    for (let i = 0; i < RUNS; i++) {
      const b = path.join(dir, `burst-${i}.log`);
      writeFileSync(b, '');
      // Burst: the whole file lands at once; the tail's own speed is all that is measured.
      const br = await tailWhile(b, async () => copyFileSync(ref, b));
      burst.push((LINES / br.ms) * 1000);
      raw.push((LINES / (await rawRead(ref))) * 1000);

      // Live: following a writer running flat out in another process.
      const l = path.join(dir, `live-${i}.log`);
      writeFileSync(l, '');
      let writerMs = 0;
      const lr = await tailWhile(l, async () => (writerMs = await runWriter(l, LINES)));
      live.push((LINES / lr.ms) * 1000);
      writer.push((LINES / writerMs) * 1000);
      fps.push((lr.frames / lr.ms) * 1000);
      for (const r of [br, lr]) {
        peak = Math.max(peak, r.peakRss);
        start = Math.min(start, r.startRss);
      }
      rmSync(b, { force: true });
      rmSync(l, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rates = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  process.stderr.write(
    `bench: logs-throughput: burst ${rates(burst)} lines/s; raw ${rates(raw)}; live ${rates(live)}; ` +
      `writer ${rates(writer)}\n`,
  );
  const MB = 1024 * 1024;
  return [
    {
      name: `log tail pipeline, burst of ${LINES / 1000}k lines (lines/s)`,
      unit: 'lines/s',
      opsdeck: median(burst),
      baseline: median(raw),
      baselineName: 'raw fs read + newline count',
    },
    {
      name: 'log tail following a full-speed writer (lines/s)',
      unit: 'lines/s',
      opsdeck: median(live),
      baseline: median(writer),
      baselineName: 'the writer alone (same run)',
    },
    {
      name: 'log tail frames delivered to the UI per second',
      unit: 'frames/s',
      opsdeck: median(fps),
      baseline: 1000 / 75,
      baselineName: 'cap (1 frame / 75 ms)',
      target: '≤ cap',
    },
    {
      name: 'log tail peak RSS (10k-line buffer)',
      unit: 'MB',
      opsdeck: peak / MB,
      baseline: start / MB,
      baselineName: 'RSS before tailing',
      target: 'bounded',
    },
  ];
}
