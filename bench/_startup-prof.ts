// Profiles the console's start-up up to its first frame: runs the built binary in tmux under
// --cpu-prof against the sandbox, quits, and prints where the time before the first frame went,
// by package/file and by function. Not part of `npm run bench` (leading `_`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, ensureBuilt, startBenchEnv } from './_sandbox.js';

ensureBuilt();
const env = await startBenchEnv();
const outDir = '/tmp/prof/startup';
execFileSync('rm', ['-rf', outDir]);
mkdirSync(outDir);
const t = Tmux.start({
  columns: 80,
  rows: 24,
  cwd: process.cwd(),
  env: { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runs = Number(process.env.RUNS) || 3;
for (let i = 0; i < runs; i++) {
  const prof = `--cpu-prof --cpu-prof-dir=${outDir}/${i} --cpu-prof-interval=100`;
  t.run(`node --max-semi-space-size=1 ${prof} bin/opsdeck.js --config ${env.configPath}; echo DONE-$((40+${i}))`);
  for (let k = 0; k < 100 && !t.capture().includes('Overview'); k++) await sleep(50);
  await sleep(1500);
  t.send('q');
  for (let k = 0; k < 100 && !t.capture().includes(`DONE-${40 + i}`); k++) await sleep(100);
}
t.kill();
await env.cleanup();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const fileAgg = new Map<string, number[]>();
const fnAgg = new Map<string, number[]>();
for (let i = 0; i < runs; i++) {
  const dir = `${outDir}/${i}`;
  const p = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]!), 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let tNow = 0;
  let firstDraw = -1;
  const times: number[] = [];
  p.samples.forEach((id, k) => {
    tNow += p.timeDeltas[k] ?? 0;
    times.push(tNow);
    if (firstDraw < 0) {
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n))
        if (byId.get(n)!.callFrame.functionName === 'draw') {
          firstDraw = tNow;
          break;
        }
    }
  });
  console.log(`run ${i}: first draw at ${(firstDraw / 1000).toFixed(0)} ms after profile start`);
  const f = new Map<string, number>();
  const g = new Map<string, number>();
  p.samples.forEach((id, k) => {
    if (times[k]! > firstDraw) return;
    const dt = (p.timeDeltas[k + 1] ?? 0) / 1000;
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anon)';
    const file = n.callFrame.url ? path.basename(n.callFrame.url) : name;
    f.set(file, (f.get(file) ?? 0) + dt);
    const key = `${name} ${file}:${n.callFrame.lineNumber}`;
    g.set(key, (g.get(key) ?? 0) + dt);
  });
  for (const [k, v] of f) fileAgg.set(k, [...(fileAgg.get(k) ?? []), v]);
  for (const [k, v] of g) fnAgg.set(k, [...(fnAgg.get(k) ?? []), v]);
}
const show = (m: Map<string, number[]>, n: number) =>
  [...m]
    .map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / runs] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, v]) => console.log(`${v.toFixed(1).padStart(7)} ms  ${k}`));
console.log('--- by file (mean per run, before first draw)');
show(fileAgg, 30);
console.log('--- by function');
show(fnAgg, 40);
