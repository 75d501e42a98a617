// The Logs view of the real console (built binary, tmux, 100×30) following a file that a writer
// fills as fast as it can for BENCH_LOG_SECONDS (default 15; at most 6 GB, then it stops early):
// - lines per second that reach the screen, against the writer's own rate and against the same
//   tail pipeline with no UI at all (in this process, same writer) — so the UI's share shows;
// - how far the newest line on screen is behind the writer (sampled twice a second), and how long
//   the screen takes to show the last line once the writer stops;
// - key press → frame latency during the flood (Space toggles PAUSED/FOLLOWING in the header),
//   p95 over 30 presses, against the same presses with the view idle before the flood;
// - RSS of the console: idle on the Logs view, then the peak and the growth during the flood.
// Bytes are timed as they arrive through `tmux pipe-pane` into a FIFO (see console-first-frame.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, type ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLogTail } from '../src/logs/tail.js';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, ensureBuilt } from './_sandbox.js';
import type { Row } from './types.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_LOG_SECONDS) || 15;
const MAX_BYTES = 6e9;
const PRESSES = 30;
const LINE = 100; // bytes per line, fixed, so the writer's count is the file size / LINE

// Fixed-width lines (1 in 50 an ERROR, 1 in 20 a WARN), ~60 KB writes, no rotation (rename
// rotation under a follower that is behind reorders lines today — see the closing note); the
// count written so far goes to a status file every 100 ms.
const WRITER = `
const fs = require('node:fs');
const [file, status, seconds] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const pad = 'x'.repeat(100);
let fd = fs.openSync(file, 'a'), size = 0, n = 0, block = '', last = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  for (let i = 0; i < 600; i++, n++) {
    const level = n % 50 === 0 ? 'ERROR' : n % 20 === 0 ? 'WARN ' : 'INFO ';
    const head = level + ' seq=' + String(n).padStart(10, '0') + ' worker request ';
    block += head + pad.slice(0, ${LINE} - 1 - head.length) + '\\n';
  }
  fs.writeSync(fd, block); size += block.length; block = '';
  if (size > ${MAX_BYTES}) break;
  const now = Date.now();
  if (now - last > 100) { fs.writeFileSync(status, String(n)); last = now; }
}
fs.closeSync(fd);
fs.writeFileSync(status, String(n));
process.stdout.write(String(n));
`;

// eslint-disable-next-line no-control-regex -- the FIFO carries escape sequences
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?<>]*[A-Za-z]/g, '');
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] ?? NaN;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** A tmux pane whose output bytes arrive here with their arrival time; keys go through a control-mode client. */
class TimedPane {
  readonly tmux: Tmux;
  private buffer = '';
  private waiters: { test: (s: string) => boolean; resolve: (t: number) => void }[] = [];
  private readonly stream: ReadStream;
  private control: ChildProcess | null = null;

  constructor(env: NodeJS.ProcessEnv, fifo: string) {
    this.tmux = Tmux.start({ columns: 100, rows: 30, cwd: root, env });
    execFileSync('mkfifo', [fifo]);
    this.stream = createReadStream(fifo, { encoding: 'utf8' });
    this.stream.on('data', (chunk: string | Buffer) => {
      const now = performance.now();
      this.buffer += stripAnsi(String(chunk));
      if (this.buffer.length > 400_000) this.buffer = this.buffer.slice(-200_000);
      this.waiters = this.waiters.filter((w) => (w.test(this.buffer) ? (w.resolve(now), false) : true));
    });
    this.tmux.record(fifo);
  }

  press(key: string): void {
    if (!this.control) {
      this.control = spawn('tmux', ['-L', this.tmux.socket, '-C', 'attach', '-t', 'main'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      this.control.stdout!.resume();
    }
    this.control.stdin!.write(`send-keys -t main ${key}\n`);
  }

  reset(): void {
    this.buffer = '';
  }

  until(marker: string, timeoutMs = 10_000): Promise<number> {
    const ok = (s: string) => s.includes(marker);
    if (ok(this.buffer)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${marker}" within ${timeoutMs} ms; screen:\n${this.tmux.capture()}`)),
        timeoutMs,
      );
      this.waiters.push({ test: ok, resolve: (t) => (clearTimeout(timer), resolve(t)) });
    });
  }

  childPid(): number {
    return Number(
      execFileSync('pgrep', ['-P', String(this.tmux.panePid())], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
  }

  close(): void {
    this.control?.stdin?.end();
    this.control?.kill();
    this.tmux.kill();
    this.stream.destroy();
  }
}

/** Space toggles PAUSED/FOLLOWING in the header: press → the first bytes carrying the new word. */
async function toggleLatencies(p: TimedPane, presses: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < presses; i++) {
    p.reset();
    const t0 = performance.now();
    p.press('Space');
    out.push((await p.until(i % 2 === 0 ? 'PAUSED' : 'FOLLOWING')) - t0);
    await sleep(150);
  }
  if (presses % 2 === 1) {
    p.press('Space');
    await p.until('FOLLOWING');
  }
  return out;
}

const newestOnScreen = (screen: string) =>
  Math.max(-1, ...[...screen.matchAll(/seq=(\d{10})/g)].map((m) => Number(m[1])));
const countIn = (status: string) => Number(readFileSync(status, 'utf8') || '0');
const sampling = { on: false };

function startWriter(log: string, status: string): { done: Promise<number> } {
  const writer = spawn(process.execPath, ['-e', WRITER, log, status, String(SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  writer.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return { done: new Promise((resolve) => writer.once('close', () => resolve(Number(out)))) };
}

/** The same flood through the same tail pipeline with no UI: lines/s until the last one is in the buffer. */
async function headless(dir: string): Promise<{ linesPerSec: number; writerPerSec: number }> {
  const log = path.join(dir, 'headless.log');
  const status = path.join(dir, 'headless.count');
  writeFileSync(log, '');
  let received = 0;
  const tail = openLogTail({
    source: { name: 'headless', file: log },
    bufferLines: 10_000,
    onFrame: () => {
      tail.view(28); // what a pane asks for on every frame
      received = tail.stats().received;
    },
  });
  try {
    await sleep(500);
    const t0 = performance.now();
    const w = startWriter(log, status);
    const lines = await w.done;
    const writerMs = performance.now() - t0;
    while (received < lines) await sleep(20);
    return { linesPerSec: (lines / (performance.now() - t0)) * 1000, writerPerSec: (lines / writerMs) * 1000 };
  } finally {
    await tail.stop();
    rmSync(log, { force: true });
  }
}

/** Runs the flood against the Logs view. */
export async function run(): Promise<Row[]> {
  ensureBuilt();
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-logs-console-'));
  const log = path.join(dir, 'flood.log');
  const status = path.join(dir, 'writer.count');
  const config = path.join(dir, 'opsdeck.yaml');
  writeFileSync(log, '');
  writeFileSync(status, '0');
  writeFileSync(config, JSON.stringify({ discover: false, logs: { sources: [{ name: 'flood', file: log }] } }));
  const pane = new TimedPane({ ...childEnv(dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' }, path.join(dir, 'fifo'));
  try {
    pane.tmux.run(`./bin/opsdeck.js --config ${config}; echo DONE-$((40+2))`);
    await pane.until('[1 Overview]', 20_000);
    pane.press('9');
    await pane.until('FOLLOWING', 10_000);
    const pid = pane.childPid();
    await sleep(1000);
    const idleKeys = await toggleLatencies(pane, PRESSES);
    const idleRss = rssMiB(pid);

    // The flood.
    const t0 = performance.now();
    const writer = startWriter(log, status);
    const lags: number[] = [];
    const rss: number[] = [];
    sampling.on = true;
    const sampler = (async () => {
      while (sampling.on) {
        const written = countIn(status);
        const shown = newestOnScreen(pane.tmux.capture());
        if (shown >= 0) lags.push(Math.max(0, written - 1 - shown));
        rss.push(rssMiB(pid));
        await sleep(500);
      }
    })();
    await sleep(3000); // warm-up: the flood is on, the first samples are in
    const warmRss = rssMiB(pid);
    const floodKeys = await toggleLatencies(pane, PRESSES);
    const lines = await writer.done;
    const writerMs = performance.now() - t0;
    // The screen catches up with the last line written.
    const last = `seq=${String(lines - 1).padStart(10, '0')}`;
    const caughtUp = await pane.tmux.waitFor(last, 300_000).then(() => performance.now());
    sampling.on = false;
    await sampler;
    const endRss = rssMiB(pid);
    const shownMs = caughtUp - t0;
    const writerRate = (lines / writerMs) * 1000;
    const lagMs = lags.map((l) => (l / writerRate) * 1000);
    pane.tmux.send('q');
    await pane.until('DONE-42');
    const mb = statSync(log).size / 1e6;
    rmSync(log, { force: true });
    const bare = await headless(dir);
    process.stderr.write(
      `bench: logs-console: ${lines} lines in ${(writerMs / 1000).toFixed(1)} s (${mb.toFixed(0)} MB); ` +
        `screen caught up ${(caughtUp - t0 - writerMs).toFixed(0)} ms after the writer stopped; ` +
        `lag p50 ${median(lagMs).toFixed(0)} ms, p95 ${p95(lagMs).toFixed(0)} ms; ` +
        `headless pipeline ${bare.linesPerSec.toFixed(0)} lines/s (writer ${bare.writerPerSec.toFixed(0)}); ` +
        `keys idle p95 ${p95(idleKeys).toFixed(0)} ms, flood p95 ${p95(floodKeys).toFixed(0)} ms; ` +
        `RSS idle ${idleRss.toFixed(1)} → warm ${warmRss.toFixed(1)} → peak ${Math.max(...rss).toFixed(1)} → ` +
        `end ${endRss.toFixed(1)} MiB\n`,
    );
    return [
      {
        name: `Logs view: lines/s reaching the screen (${SECONDS} s full-speed writer)`,
        unit: 'lines/s',
        opsdeck: (lines / shownMs) * 1000,
        baseline: bare.linesPerSec,
        baselineName: 'same tail pipeline, no UI (same run)',
      },
      {
        name: 'Logs view: the full-speed writer itself',
        unit: 'lines/s',
        opsdeck: writerRate,
        baseline: bare.writerPerSec,
        baselineName: 'the writer in the headless run',
      },
      {
        name: 'Logs view: newest line on screen behind the writer, p95',
        unit: 'ms',
        opsdeck: p95(lagMs),
        baseline: median(lagMs),
        baselineName: 'the median of the same samples',
      },
      {
        name: 'Logs view: last line on screen after the writer stops',
        unit: 'ms',
        opsdeck: caughtUp - t0 - writerMs,
        baseline: 75,
        baselineName: 'one tail frame (75 ms)',
      },
      {
        name: 'Logs view: key press → frame during the flood, p95',
        unit: 'ms',
        opsdeck: p95(floodKeys),
        baseline: p95(idleKeys),
        baselineName: 'same key, view idle',
        target: '< 100 ms',
      },
      {
        name: `Logs view: peak RSS during the flood`,
        unit: 'MiB',
        opsdeck: Math.max(...rss),
        baseline: idleRss,
        baselineName: 'Logs view idle',
        target: 'bounded',
      },
      {
        name: `Logs view: RSS growth during the flood (end − 3 s in)`,
        unit: 'MiB',
        opsdeck: endRss - warmRss,
        baseline: 0,
        baselineName: 'flat',
      },
    ];
  } catch (err) {
    process.stderr.write(`bench: logs-console: ${err instanceof Error ? err.message : String(err)}\n`);
    throw err;
  } finally {
    sampling.on = false;
    await sleep(600); // the sampler's last round
    pane.close();
    // A straggling writer can still be creating files: cleanup trouble must not drop the figures.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    } catch (err) {
      process.stderr.write(
        `bench: logs-console: could not remove ${dir}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
}
