// Profiles the idle console against the sandbox: runs the built binary in tmux under
// --cpu-prof for PROF_SECONDS (default 60), quits, and prints self time by function and by file.
// Also prints CPU % from /proc for the same window. Not part of `npm run bench` (leading `_`).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, ensureBuilt, startBenchEnv } from './_sandbox.js';

ensureBuilt();
const seconds = Number(process.env.PROF_SECONDS) || 60;
const prof = process.env.PROF !== '0';
const env = await startBenchEnv();
const outDir = path.join(env.dir, 'prof');
mkdirSync(outDir);
if (process.env.MODE === 'poll') {
  const bundle = path.join('node_modules', '.cache', 'opsdeck-bench', 'polling-child.mjs');
  const out = execFileSync(
    process.execPath,
    [
      '--max-semi-space-size=1',
      ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`, '--cpu-prof-interval=500'] : []),
      bundle,
      env.configPath,
      '5',
      String(seconds),
    ],
    { env: childEnv(env.dir), encoding: 'utf8' },
  );
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as { cpuUs: number; wallMs: number };
  console.log(`polling CPU ${((m.cpuUs / 1000 / m.wallMs) * 100).toFixed(2)} %`);
  if (prof) report(outDir);
  await env.cleanup();
  process.exit(0);
}
const t = Tmux.start({
  columns: Number(process.env.COLS) || 80,
  rows: Number(process.env.ROWS) || 24,
  cwd: process.cwd(),
  env: { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
});
const flags = prof ? `--cpu-prof --cpu-prof-dir=${outDir} --cpu-prof-interval=500` : '';
const view = process.env.VIEW ? '' : '';
t.run(
  `OPSDECK_TRACE=1 node --max-semi-space-size=1 ${flags} bin/opsdeck.js --config ${env.configPath} ${view}; ` +
    'echo DONE-$((40+2))',
);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(8000);
if (process.env.VIEW) t.send(process.env.VIEW);
const pid = Number(
  execFileSync('pgrep', ['-P', String(t.panePid())], { encoding: 'utf8' })
    .trim()
    .split('\n')[0],
);
const cpuNs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
const c0 = cpuNs();
const w0 = performance.now();
await sleep(seconds * 1000);
const pctv = ((cpuNs() - c0) / 1e6 / (performance.now() - w0)) * 100;
t.send('q');
for (let i = 0; i < 100 && !t.capture().includes('DONE-42'); i++) await sleep(100);
console.log(
  t
    .capture()
    .split('\n')
    .filter((l) => l.includes('opsdeck:'))
    .join('\n'),
);
t.kill();
console.log(`idle CPU ${pctv.toFixed(2)} % over ${seconds} s`);
if (prof) report(outDir);
await env.cleanup();

function report(outDir: string): void {
  const file = readdirSync(outDir).find((f) => f.endsWith('.cpuprofile'))!;
  const p = JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Start-up is not idle: samples in the first SKIP_MS (default 10 s) are left out.
  const skipUs = (Number(process.env.SKIP_MS) || 10_000) * 1000;
  let at = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (at >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  });
  const fn = new Map<string, number>();
  const file2 = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anon)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const k = `${name} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber}`;
    fn.set(k, (fn.get(k) ?? 0) + us);
    const f = n.callFrame.url ? path.basename(n.callFrame.url) : name;
    file2.set(f, (file2.get(f) ?? 0) + us);
  }
  console.log(`profile: busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`);
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .forEach(([k, v]) =>
        console.log(`${(v / 1000).toFixed(1).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`),
      );
  console.log('--- by file');
  top(file2, 25);
  console.log('--- by function');
  top(fn, 50);
  mkdirSync('/tmp/prof', { recursive: true });
  execFileSync('cp', [path.join(outDir, file), '/tmp/prof/last.cpuprofile']);
  console.log('profile kept as /tmp/prof/last.cpuprofile');
}
