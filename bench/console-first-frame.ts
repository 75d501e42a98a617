// The console in a real terminal (tmux) against the sandbox services, all four targets:
// - time to first frame (Enter → the first frame's bytes reach the terminal), median of 5,
//   against a minimal Ink app bundled the same way and `node -e 0`;
// - time until all four panels show real data, median of 5;
// - idle CPU of the whole console (probes included) over BENCH_SECONDS, against a minimal Ink
//   app with a ticking clock, both measured at the same time;
// - RSS at the end of that window (and its growth over the window);
// - key press → updated frame latency, p95 over 40 presses, against the minimal Ink app.
// Bytes are timed as they arrive through `tmux pipe-pane` into a FIFO, so capture-pane polling
// does not add its own latency. Targets from the issue: < 300 ms, < 1 s, < 1 %, < 100 MiB, < 50 ms.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, writeFileSync, type ReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, ensureBuilt, median, startBenchEnv, type BenchEnv } from './_sandbox.js';
import type { Row } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const RUNS = 5;
const KEY_PRESSES = 40;

const MINIMAL_INK = `
import { render, Box, Text, useApp, useInput } from 'ink';
import { createElement as h, useEffect, useState } from 'react';
function App() {
  const { exit } = useApp();
  const [keys, setKeys] = useState(0);
  const [time, setTime] = useState(new Date().toLocaleTimeString());
  useEffect(() => { const id = setInterval(() => setTime(new Date().toLocaleTimeString()), 1000); \
return () => clearInterval(id); }, []);
  useInput((input) => { if (input === 'q') exit(); else setKeys((k) => k + 1); });
  return h(Box, { flexDirection: 'column' }, h(Text, null, 'minimal ready ' + time), \
h(Text, null, 'keys=' + keys + ';'));
}
render(h(App));
`;

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?<>]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex

/** A terminal whose output bytes we receive as they are written, with arrival times. */
export class TimedTerminal {
  readonly tmux: Tmux;
  private buffer = '';
  private waiters: { test: (s: string) => boolean; resolve: (t: number) => void }[] = [];
  private stream: ReadStream;
  private control: ChildProcess | null = null;

  constructor(columns: number, rows: number, env: NodeJS.ProcessEnv, fifo: string) {
    this.tmux = Tmux.start({ columns, rows, cwd: root, env });
    execFileSync('mkfifo', [fifo]);
    this.stream = createReadStream(fifo, { encoding: 'utf8' });
    this.stream.on('data', (chunk: string | Buffer) => {
      const now = performance.now();
      this.buffer += stripAnsi(String(chunk));
      if (this.buffer.length > 200_000) this.buffer = this.buffer.slice(-100_000);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(this.buffer)) return true;
        w.resolve(now);
        return false;
      });
    });
    this.tmux.record(fifo);
  }

  /**
   * Presses a key through a tmux control-mode client that stays attached, so a key press costs
   * a line on a pipe rather than starting a tmux client (tens of ms on a busy machine).
   */
  press(key: string): void {
    this.attach().stdin!.write(`send-keys -t main ${key}\n`);
  }

  /** Starts the control-mode client (once). */
  attach(): ChildProcess {
    if (!this.control) {
      this.control = spawn('tmux', ['-L', this.tmux.socket, '-C', 'attach', '-t', 'main'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      this.control.stdout!.resume();
    }
    return this.control;
  }

  /** Forgets earlier output, so the next wait only sees bytes written from now on. */
  reset(): void {
    this.buffer = '';
  }

  /** Resolves with the arrival time of the first chunk after which `test` holds. */
  until(test: string | ((s: string) => boolean), timeoutMs = 20_000): Promise<number> {
    const ok = typeof test === 'string' ? (s: string) => s.includes(test) : test;
    if (ok(this.buffer)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${String(test)} within ${timeoutMs} ms; screen:\n${this.tmux.capture()}`)),
        timeoutMs,
      );
      this.waiters.push({ test: ok, resolve: (t) => (clearTimeout(timer), resolve(t)) });
    });
  }

  /** The pid of the program running in the pane (the shell's child). */
  childPid(): number {
    const out = execFileSync('pgrep', ['-P', String(this.tmux.panePid())], { encoding: 'utf8' }).trim();
    return Number(out.split('\n')[0]);
  }

  close(): void {
    this.control?.stdin?.end();
    this.control?.kill();
    this.tmux.kill();
    this.stream.destroy();
  }
}

/** CPU time of a process's main thread in ns (from /proc/<pid>/schedstat: that task only). */
export const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
/** Resident set size of a process in MiB. */
export const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/**
 * CPU time in ns of every live thread of a process (/proc/<pid>/task/<tid>/schedstat), by tid:
 * the main thread plus V8's GC and compiler workers and libuv's pool, which cpuNs leaves out.
 */
export function threadCpuNs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return out;
}

/** One process over an idle window: CPU as % of one core, and RSS at the start and the end. */
export interface IdleWindow {
  /** Main thread only (what the `npm run bench` row reports). */
  mainCpu: number;
  /** All threads of the process. */
  processCpu: number;
  rss0: number;
  rss1: number;
  /** Mean of VmRSS sampled every second over the window (RSS saws by ~10 MiB between major GCs). */
  rssMean: number;
  /** Peak RSS of the process's life so far (VmHWM), at the end of the window. */
  rssPeak: number;
  /** Threads alive at the start but gone at the end (their CPU in the window is not counted). */
  lostThreads: number;
}

/** Measures `pids` over the same `seconds`-long window. */
export async function idleWindow(pids: number[], seconds: number): Promise<IdleWindow[]> {
  const start = pids.map((pid) => ({ main: cpuNs(pid), threads: threadCpuNs(pid), rss: rssMiB(pid) }));
  const w0 = performance.now();
  const rss = pids.map((pid) => [rssMiB(pid)]);
  const sampler = setInterval(() => pids.forEach((pid, i) => rss[i]!.push(rssMiB(pid))), 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(sampler);
  const end = pids.map((pid) => ({ main: cpuNs(pid), threads: threadCpuNs(pid), rss: rssMiB(pid) }));
  const wallNs = (performance.now() - w0) * 1e6;
  const peak = pids.map((pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
  return pids.map((_, i) => {
    const [a, b] = [start[i]!, end[i]!];
    let ns = 0;
    let lost = 0;
    for (const [tid, t1] of b.threads) ns += t1 - (a.threads.get(tid) ?? 0);
    for (const tid of a.threads.keys()) if (!b.threads.has(tid)) lost++;
    const samples = [...rss[i]!, b.rss];
    const rssMean = samples.reduce((x, y) => x + y, 0) / samples.length;
    return {
      mainCpu: ((b.main - a.main) / wallNs) * 100,
      processCpu: (ns / wallNs) * 100,
      rss0: a.rss,
      rss1: b.rss,
      rssMean,
      rssPeak: peak[i]!,
      lostThreads: lost,
    };
  });
}

/**
 * A test for "all four panels show real data": the sandbox's PostgreSQL and Redis versions, the
 * engine, the host CPU.
 */
export async function allDataTest(env: BenchEnv): Promise<(screen: string) => boolean> {
  const client = new pg.Client({ connectionString: env.sandbox.postgres!.url });
  await client.connect();
  const pgVersion = String(
    (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
  ).split(' ')[0]!;
  await client.end();
  const redis = new Redis(env.sandbox.redis!.url, { lazyConnect: true });
  await redis.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))![1]!;
  redis.disconnect();
  return (s: string) =>
    s.includes(pgVersion) && s.includes(redisVersion) && s.includes('engine ') && /CPU\s+\d/.test(s);
}
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

/** Types `line`, then times Enter → `ready`; quits with `quit` keys and waits for the prompt marker. */
export async function timeStart(
  t: TimedTerminal,
  line: string,
  ready: string | ((s: string) => boolean),
  quit: string[],
): Promise<number> {
  t.tmux.tmux('send-keys', '-t', 'main', '-l', `${line}; echo DONE-$((40+2))`);
  t.reset();
  const t0 = performance.now();
  t.tmux.send('Enter');
  const at = await t.until(ready);
  if (quit.length) t.tmux.send(...quit);
  await t.until('DONE-42');
  return at - t0;
}

async function keyLatencies(
  t: TimedTerminal,
  presses: { key: string; marker: (i: number) => string },
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 1; i <= KEY_PRESSES; i++) {
    t.reset();
    const t0 = performance.now();
    t.press(presses.key === 'alternate' ? (i % 2 ? '2' : '1') : presses.key);
    out.push((await t.until(presses.marker(i), 5000)) - t0);
    await new Promise((r) => setTimeout(r, 30));
  }
  return out;
}

/** Runs the console benchmarks against the sandbox. */
export async function run(): Promise<Row[]> {
  ensureBuilt();
  const seconds = Number(process.env.BENCH_SECONDS) || 60;
  const env = await startBenchEnv();
  const terminals: TimedTerminal[] = [];
  try {
    const cache = path.join(root, 'node_modules', '.cache', 'opsdeck-bench');
    const minimal = path.join(cache, 'minimal-ink', 'minimal-ink.js');
    writeFileSync(path.join(env.dir, 'minimal-ink.mjs'), MINIMAL_INK);
    // Built like dist/: one bundle, code splitting (Ink's devtools stay an unloaded chunk).
    await build({
      entryPoints: { 'minimal-ink': path.join(env.dir, 'minimal-ink.mjs') },
      outdir: path.dirname(minimal),
      splitting: true,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      nodePaths: [path.join(root, 'node_modules')],
      external: ['react-devtools-core'],
      define: { 'process.env.NODE_ENV': '"production"' },
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const allData = await allDataTest(env);

    const tenv = { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const console1 = new TimedTerminal(80, 24, tenv, path.join(env.dir, 'fifo-console'));
    const mini = new TimedTerminal(80, 24, tenv, path.join(env.dir, 'fifo-mini'));
    terminals.push(console1, mini);
    // As installed: the bin script with its shebang flags (a 1 MiB young generation).
    const opsdeckLine = `./bin/opsdeck.js --config ${env.configPath}`;

    const first: number[] = [];
    const data: number[] = [];
    const miniFirst: number[] = [];
    const nodeOnly: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      first.push(await timeStart(console1, opsdeckLine, '[1 Overview]', ['q']));
      data.push(await timeStart(console1, opsdeckLine, allData, ['q']));
      miniFirst.push(await timeStart(mini, `node ${minimal}`, 'minimal ready', ['q']));
      nodeOnly.push(await timeStart(mini, 'node -e 0', 'DONE-42', []));
    }

    // Idle: both running side by side for the window, after a warm-up.
    console1.tmux.run(`${opsdeckLine}; echo DONE-$((40+2))`);
    mini.tmux.run(`node ${minimal}; echo DONE-$((40+2))`);
    await console1.until(allData);
    await mini.until('minimal ready');
    await new Promise((r) => setTimeout(r, 5000));
    const [c, m] = await idleWindow([console1.childPid(), mini.childPid()], seconds);
    const [idle, miniIdle, rss0, rss1, miniRss] = [c!.mainCpu, m!.mainCpu, c!.rss0, c!.rss1, m!.rss1];

    // Attach the control clients before timing anything.
    console1.attach();
    mini.attach();
    await new Promise((r) => setTimeout(r, 300));
    const keys = await keyLatencies(console1, {
      key: 'alternate',
      marker: (i) => (i % 2 ? '[2 Host]' : '[1 Overview]'),
    });
    const miniKeys = await keyLatencies(mini, { key: 'x', marker: (i) => `keys=${i};` });
    console1.tmux.send('q');
    mini.tmux.send('q');
    await Promise.all([console1.until('DONE-42'), mini.until('DONE-42')]);

    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    process.stderr.write(
      `bench: console: first frame runs ${ms(first)} ms; all data ${ms(data)} ms; ` +
        `RSS ${rss0.toFixed(1)} → ${rss1.toFixed(1)} MiB over ${seconds} s\n`,
    );
    return [
      {
        name: 'console first frame (80×24, tmux)',
        unit: 'ms',
        opsdeck: median(first),
        baseline: median(miniFirst),
        baselineName: 'minimal Ink app, one esbuild bundle',
        target: '< 300 ms',
      },
      {
        name: 'node -e 0 in the same terminal',
        unit: 'ms',
        opsdeck: median(first),
        baseline: median(nodeOnly),
        baselineName: 'node -e 0',
      },
      {
        name: 'console: all four panels with real data',
        unit: 'ms',
        opsdeck: median(data),
        baseline: median(miniFirst),
        baselineName: 'minimal Ink app first frame',
        target: '< 1000 ms',
      },
      {
        name: `console idle CPU, 4 targets, ${seconds} s`,
        unit: '% of a core',
        opsdeck: idle,
        baseline: miniIdle,
        baselineName: 'minimal Ink app with a 1 s clock',
        target: '< 1 %',
      },
      {
        name: `console RSS after ${seconds} s`,
        unit: 'MiB',
        opsdeck: rss1,
        baseline: miniRss,
        baselineName: 'minimal Ink app',
        target: '< 100 MiB',
      },
      {
        name: `console RSS growth over ${seconds} s`,
        unit: 'MiB',
        opsdeck: rss1 - rss0,
        baseline: 0,
        baselineName: 'flat',
      },
      {
        name: 'key press → updated frame, p95',
        unit: 'ms',
        opsdeck: p95(keys),
        baseline: p95(miniKeys),
        baselineName: 'minimal Ink app, counter',
        target: '< 50 ms',
      },
    ];
  } finally {
    for (const t of terminals) t.close();
    await env.cleanup();
  }
}
