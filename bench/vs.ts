// No regression against an older commit, in one command: the console's first frame, idle CPU and
// RSS of this tree's build against the build of git ref REF, both measured interleaved in the same
// run against the same sandbox (PostgreSQL, Redis, Docker: 4 targets). One row per figure with the
// new median, the old median, the ratio and PASS/FAIL at ≤ 1.05×. Exit code 0 when all pass,
// 1 on a FAIL, 2 when the run itself failed. Not part of `npm run bench` (run.ts leaves it out).
//
//   npm run bench:vs -- [REF] [--runs N] [--idle-seconds S] [--idle-rounds R] [--settle S] [--idle-size COLSxROWS]
//   node --import tsx bench/vs.ts [REF] [options]
//
// REF defaults to 6f45f5c (main before the restructure). It is exported with `git archive` into
// /tmp/opsdeck-vs/<sha> ($OPSDECK_VS_CACHE overrides /tmp/opsdeck-vs), then `npm ci` and
// `npm run build` there; kept and reused by later runs, and usable side by side on its own:
// /tmp/opsdeck-vs/<sha>/bin/opsdeck.js (e.g. with bench/_ab-first-frame.ts or bench/_ab-rss.ts).
// This tree is built with `npm run build`. Both are started as installed: their bin/opsdeck.js
// with its shebang flags, each with its own XDG_STATE_HOME.
//
// What is measured (the methods of console-first-frame.ts, whose helpers this reuses):
// - first frame: Enter → the first '[1 Overview]' bytes through tmux pipe-pane at 80×24; one
//   warm-up round (not counted), then --runs rounds (11; about 2 s a round), the two builds'
//   order alternating per round; median.
// - idle: per round (--idle-rounds, 5) both builds run at the same time, each in its own tmux at
//   --idle-size (80x24, as `npm run bench`), so both see the same machine load; once all four
//   panels show real data, --settle seconds (15) are skipped, then CPU over --idle-seconds (60),
//   as % of one core: the whole process (all threads, /proc/<pid>/task/*/schedstat: includes V8's
//   GC and compiler threads) and the main thread alone (/proc/<pid>/schedstat: the figure
//   `npm run bench` reports); RSS: the mean of VmRSS sampled every second over the window, the
//   peak (VmHWM) at its end, and the single VmRSS sample at its end (what `npm run bench` reports;
//   shown, not judged: RSS saws by ~10 MiB between major GCs). Medians over the rounds. Five
//   rounds because a 60 s window holds zero or one major GC (~0.1 % of a core either way).
// Idle CPU also passes when new − old < 0.03 % of a core: values around 0.5 % move by more than
// 5 % between windows on a shared 2-core machine.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { allDataTest, idleWindow, TimedTerminal, timeStart, type IdleWindow } from './console-first-frame.js';
import { childEnv, median, startBenchEnv, type BenchEnv } from './_sandbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const DEFAULT_REF = '6f45f5c563d127574192199a671f50e3cdaba98c';
const MAX_RATIO = 1.05;
const IDLE_ABS = 0.03; // % of a core
const FIRST_FRAME = '[1 Overview]';
const DONE = 'DONE-42';

interface Options {
  ref: string;
  runs: number;
  idleSeconds: number;
  idleRounds: number;
  settle: number;
  idleColumns: number;
  idleRows: number;
}

const USAGE_LINE =
  'usage: node --import tsx bench/vs.ts [REF] [--runs N] [--idle-seconds S] [--idle-rounds R] [--settle S] ' +
  '[--idle-size COLSxROWS]';
const USAGE = `${USAGE_LINE}
  REF             git ref to compare against (default ${DEFAULT_REF.slice(0, 7)}, main before the restructure)
  --runs N        first-frame rounds per build, after one warm-up round (default 11)
  --idle-seconds  length of each idle window (default 60)
  --idle-rounds   idle windows per build; both builds run side by side in each (default 5)
  --settle S      seconds skipped after all panels show data, before the window (default 15)
  --idle-size     terminal for the idle windows (default 80x24, as npm run bench)`;

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'idle-rounds': { type: 'string' },
      settle: { type: 'string' },
      'idle-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length > 1) throw new Error(`one REF at most\n${USAGE}`);
  const num = (v: string | undefined, dflt: number, name: string, min: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min)
      throw new Error(`--${name} must be a number ≥ ${min}, not ${JSON.stringify(v)}`);
    return n;
  };
  const size = /^(\d+)x(\d+)$/.exec(values['idle-size'] ?? '80x24');
  if (!size) throw new Error(`--idle-size must look like 120x40, not ${JSON.stringify(values['idle-size'])}`);
  return {
    ref: positionals[0] ?? DEFAULT_REF,
    runs: Math.round(num(values.runs, 11, 'runs', 1)),
    idleSeconds: num(values['idle-seconds'], 60, 'idle-seconds', 1),
    idleRounds: Math.round(num(values['idle-rounds'], 5, 'idle-rounds', 1)),
    settle: num(values.settle, 15, 'settle', 0),
    idleColumns: Number(size[1]),
    idleRows: Number(size[2]),
  };
}

// ---- children and cleanup ------------------------------------------------------------------

/** Build steps still running: each in its own process group, killed as a group on a signal. */
const running = new Set<ChildProcess>();
/** Synchronous undo steps for a signal (terminals, temporary directories). */
const undo = new Set<() => void>();

function stopEverything(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const step of [...undo].reverse()) {
    try {
      step();
    } catch {
      // Best effort: the next step still runs.
    }
  }
  undo.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  process.stderr.write(`\nvs: ${sig}: stopping the builds, terminals and sandbox\n`);
  stopEverything();
  // The sandbox purges its services in its own 'exit' hook (synchronously).
  process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129);
}

/** Our environment minus what `npm run` adds (npm_config_local_prefix would point a nested npm back here). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  env.npm_config_nodedir = process.env.npm_config_nodedir || '/usr';
  return env;
}

/** Runs one step (argv, no shell) in its own process group; output to `logFd` or our stderr. */
function step(cmd: string, args: string[], cwd: string, logFd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = logFd ?? process.stderr.fd;
    const child = spawn(cmd, args, { cwd, env: npmEnv(), stdio: ['ignore', out, out], detached: true });
    running.add(child);
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('exit', (code, sig) => {
      running.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${code ?? sig}`));
    });
  });
}

// ---- the two builds ------------------------------------------------------------------------

function resolveRef(ref: string): string {
  if (ref.startsWith('-')) throw new Error(`not a git ref: ${ref}`);
  let sha = '';
  try {
    sha = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // reported below
  }
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`${ref} is not a commit in ${root}`);
  return sha;
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** REF's tree, installed and built, in the cache (reused when a previous run finished it). */
async function prepareOld(sha: string): Promise<string> {
  const base = process.env.OPSDECK_VS_CACHE || '/tmp/opsdeck-vs';
  const dir = path.join(base, sha);
  const marker = path.join(dir, '.opsdeck-vs-ready');
  if (existsSync(marker) && existsSync(path.join(dir, 'dist', 'main.js'))) {
    process.stderr.write(`vs: old build: reusing ${dir}\n`);
    return dir;
  }
  mkdirSync(base, { recursive: true });
  // Half-done builds of runs that died (SIGKILL, crash): their pid is gone.
  for (const name of readdirSync(base)) {
    const m = /^[0-9a-f]{40}\.tmp-(\d+)(\.tar)?$/.exec(name);
    if (m && !pidAlive(Number(m[1]))) rmSync(path.join(base, name), { recursive: true, force: true });
  }
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // no marker: never finished
  const tmp = `${dir}.tmp-${process.pid}`;
  const tar = `${tmp}.tar`;
  const removeTmp = () => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(tar, { force: true });
  };
  undo.add(removeTmp);
  mkdirSync(tmp);
  const logFile = path.join(tmp, '.opsdeck-vs-build.log');
  const log = openSync(logFile, 'a');
  const t0 = performance.now();
  process.stderr.write(
    `vs: old build: ${sha.slice(0, 12)} → ${dir} (git archive, npm ci, npm run build; log ${logFile}) …\n`,
  );
  try {
    await step('git', ['archive', '--format=tar', '-o', tar, sha], root, log);
    await step('tar', ['-x', '-f', tar, '-C', tmp], tmp, log);
    rmSync(tar, { force: true });
    await step('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], tmp, log);
    await step('npm', ['run', 'build'], tmp, log);
  } catch (err) {
    closeSync(log);
    let tail = '';
    try {
      tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      // no log
    }
    removeTmp();
    undo.delete(removeTmp);
    throw new Error(`${(err as Error).message}\n${tail}`);
  }
  closeSync(log);
  writeFileSync(path.join(tmp, '.opsdeck-vs-ready'), JSON.stringify({ sha, builtAt: new Date().toISOString() }) + '\n');
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (!existsSync(marker)) throw err;
    removeTmp(); // another run finished the same build first
  }
  undo.delete(removeTmp);
  process.stderr.write(
    `vs: old build ready in ${((performance.now() - t0) / 1000).toFixed(0)} s ` +
      `(log: ${path.join(dir, '.opsdeck-vs-build.log')})\n`,
  );
  return dir;
}

// ---- measuring -----------------------------------------------------------------------------

interface Build {
  key: 'new' | 'old';
  bin: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shell line that starts a build's console as installed, with its own state directory. */
function consoleLine(b: Build, env: BenchEnv): string {
  const stateDir = path.join(env.dir, `state-${b.key}`);
  return `XDG_STATE_HOME=${quote(stateDir)} ${quote(b.bin)} --config ${quote(env.configPath)}`;
}

function terminal(columns: number, rows: number, env: BenchEnv, name: string): TimedTerminal {
  const t = new TimedTerminal(
    columns,
    rows,
    { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
    path.join(env.dir, `fifo-${name}`),
  );
  undo.add(() => t.close());
  return t;
}

async function firstFrames(builds: Build[], env: BenchEnv, runs: number): Promise<Record<Build['key'], number[]>> {
  const t = terminal(80, 24, env, 'first-frame');
  const times: Record<Build['key'], number[]> = { new: [], old: [] };
  try {
    for (let i = 0; i <= runs; i++) {
      for (const b of i % 2 ? [...builds].reverse() : builds) {
        const ms = await timeStart(t, consoleLine(b, env), FIRST_FRAME, ['q']);
        if (i > 0) times[b.key].push(ms); // round 0 warms the page cache
      }
      process.stderr.write(`vs: first frame round ${i}/${runs}${i === 0 ? ' (warm-up)' : ''}\n`);
    }
  } finally {
    t.close();
  }
  return times;
}

async function idleRounds(builds: Build[], env: BenchEnv, o: Options): Promise<Record<Build['key'], IdleWindow[]>> {
  const allData = await allDataTest(env);
  const terms = Object.fromEntries(
    builds.map((b) => [b.key, terminal(o.idleColumns, o.idleRows, env, `idle-${b.key}`)]),
  ) as Record<Build['key'], TimedTerminal>;
  const out: Record<Build['key'], IdleWindow[]> = { new: [], old: [] };
  try {
    for (let r = 0; r < o.idleRounds; r++) {
      const order = r % 2 ? [...builds].reverse() : builds;
      for (const b of order) {
        const t = terms[b.key];
        t.tmux.tmux('send-keys', '-t', 'main', '-l', `${consoleLine(b, env)}; echo DONE-$((40+2))`);
        t.reset();
        t.tmux.send('Enter');
      }
      await Promise.all(order.map((b) => terms[b.key].until(allData, 30_000)));
      await sleep(o.settle * 1000);
      const pids = order.map((b) => {
        const pid = terms[b.key].childPid();
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        if (!argv.includes(b.bin))
          throw new Error(`pid ${pid} in the ${b.key} terminal is not ${b.bin}: ${argv.join(' ')}`);
        return pid;
      });
      const windows = await idleWindow(pids, o.idleSeconds);
      order.forEach((b, i) => out[b.key].push(windows[i]!));
      for (const b of order) {
        terms[b.key].reset();
        terms[b.key].tmux.send('q');
      }
      await Promise.all(order.map((b) => terms[b.key].until(DONE)));
      const show = (w: IdleWindow) =>
        `${w.processCpu.toFixed(3)} % (main ${w.mainCpu.toFixed(3)} %), ` +
        `RSS mean ${w.rssMean.toFixed(1)} / peak ${w.rssPeak.toFixed(1)} / end ${w.rss1.toFixed(1)} MiB`;
      const round = `${r + 1}/${o.idleRounds}`;
      process.stderr.write(
        `vs: idle round ${round}: new ${show(out.new.at(-1)!)}; old ${show(out.old.at(-1)!)}; ` +
          `load ${loadavg()[0]!.toFixed(2)}\n`,
      );
    }
  } finally {
    for (const t of Object.values(terms)) t.close();
  }
  return out;
}

// ---- the report ----------------------------------------------------------------------------

interface Figure {
  name: string;
  unit: string;
  runs: Record<Build['key'], number[]>;
  /** Idle CPU: also passes when new − old is under IDLE_ABS. */
  absolute?: number;
  /** Not judged (one RSS sample lands anywhere on the GC saw-tooth: ±7 % here). */
  shownOnly?: boolean;
  digits: number;
}

function report(figures: Figure[]): boolean {
  const rows = [['figure', 'unit', 'new', 'old', 'new/old', 'paired', 'verdict']];
  let ok = true;
  for (const f of figures) {
    const [n, o] = [median(f.runs.new), median(f.runs.old)];
    const ratio = n / o;
    // Median of new/old within each round (measured seconds apart or at the same time): less
    // sensitive to load that drifts during the run. Shown, not judged.
    const paired = median(f.runs.new.map((x, i) => x / f.runs.old[i]!));
    const pass = ratio <= MAX_RATIO || (f.absolute !== undefined && n - o < f.absolute);
    if (!f.shownOnly) ok &&= pass;
    const why = f.shownOnly
      ? 'not judged'
      : ratio <= MAX_RATIO
        ? `≤ ${MAX_RATIO}×`
        : pass
          ? `+${(n - o).toFixed(3)} < ${f.absolute} abs`
          : f.absolute !== undefined
            ? `> ${MAX_RATIO}× and +${(n - o).toFixed(3)} ≥ ${f.absolute}`
            : `> ${MAX_RATIO}×`;
    rows.push([
      f.name,
      f.unit,
      n.toFixed(f.digits),
      o.toFixed(f.digits),
      `${ratio.toFixed(3)}×`,
      `${paired.toFixed(3)}×`,
      f.shownOnly ? `(${why})` : `${pass ? 'PASS' : 'FAIL'} (${why})`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    );
  console.log('');
  for (const f of figures) {
    const values = (xs: number[]) => xs.map((x) => x.toFixed(f.digits)).join(' ');
    console.log(`${f.name}: new [${values(f.runs.new)}]  old [${values(f.runs.old)}]`);
  }
  console.log(
    '\nnew/old is the ratio of the medians and is what is judged: ' +
      `PASS at new ≤ ${MAX_RATIO} × old. Idle CPU also passes when`,
  );
  console.log(
    `new − old < ${IDLE_ABS} % of a core: values that small move by more than 5 % between windows on a shared machine.`,
  );
  console.log(
    'RSS is judged on the mean of 1 s samples over each window and on the peak: one sample lands anywhere on the',
  );
  console.log('~10 MiB saw-tooth between major GCs. paired is the median of the per-round ratios (shown only).');
  return ok;
}

async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const sha = resolveRef(o.ref);
  const started = performance.now();
  const idleMin = (o.idleRounds * (o.idleSeconds + o.settle + 5)) / 60;
  const against = o.ref === sha ? sha.slice(0, 12) : `${o.ref} (${sha.slice(0, 12)})`;
  process.stderr.write(
    `vs: this tree against ${against}; first frame ${o.runs}+1 rounds, ` +
      `idle ${o.idleRounds} × ${o.idleSeconds} s (+${o.settle} s settle) at ${o.idleColumns}x${o.idleRows}: ` +
      `about ${(idleMin + 0.7).toFixed(1)} min after the builds\n`,
  );

  const oldDir = await prepareOld(sha);
  process.stderr.write('vs: new build: npm run build (this tree) …\n');
  await step('npm', ['run', 'build', '--silent'], root);
  await step(process.execPath, ['scripts/provision.mjs'], root);
  const builds: Build[] = [
    { key: 'new', bin: path.join(root, 'bin', 'opsdeck.js') },
    { key: 'old', bin: path.join(oldDir, 'bin', 'opsdeck.js') },
  ];

  process.stderr.write('vs: starting the sandbox …\n');
  const env = await startBenchEnv();
  undo.add(() => rmSync(env.dir, { recursive: true, force: true }));
  try {
    const load0 = loadavg()[0]!;
    const first = await firstFrames(builds, env, o.runs);
    const idle = await idleRounds(builds, env, o);
    const pick = (f: (w: IdleWindow) => number) => ({ new: idle.new.map(f), old: idle.old.map(f) });
    const lost = [...idle.new, ...idle.old].reduce((n, w) => n + w.lostThreads, 0);
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    console.log(
      `\nvs: new = this tree (${root}), old = ${sha.slice(0, 12)} (${oldDir}); same run, same sandbox; ` +
        `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}, ${minutes} min`,
    );
    const busy = Math.max(load0, loadavg()[0]!);
    if (busy > availableParallelism())
      console.log(
        `vs: warning: load average up to ${busy.toFixed(1)} on ${availableParallelism()} cores: ` +
          'other work competed with the measurement; a FAIL may be noise (rerun when quieter or with more --runs)',
      );
    if (lost)
      console.log(
        `vs: warning: ${lost} thread(s) exited during idle windows; ` +
          'their CPU is missing from the whole-process figures',
      );
    console.log('');
    const s = o.idleSeconds;
    const ok = report([
      { name: 'console first frame, 80×24 tmux', unit: 'ms', runs: first, digits: 0 },
      {
        name: `console idle CPU, whole process, ${s} s`,
        unit: '% of a core',
        runs: pick((w) => w.processCpu),
        absolute: IDLE_ABS,
        digits: 3,
      },
      {
        name: `console idle CPU, main thread, ${s} s`,
        unit: '% of a core',
        runs: pick((w) => w.mainCpu),
        absolute: IDLE_ABS,
        digits: 3,
      },
      { name: `console RSS, mean over the ${s} s window`, unit: 'MiB', runs: pick((w) => w.rssMean), digits: 1 },
      { name: 'console peak RSS (VmHWM) at its end', unit: 'MiB', runs: pick((w) => w.rssPeak), digits: 1 },
      {
        name: `console RSS at its end (as npm run bench)`,
        unit: 'MiB',
        runs: pick((w) => w.rss1),
        digits: 1,
        shownOnly: true,
      },
    ]);
    return ok ? 0 : 1;
  } finally {
    stopEverything();
    await env.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    stopEverything();
    process.stderr.write(`vs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
  process.exit();
}
