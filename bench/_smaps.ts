import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, startBenchEnv } from './_sandbox.js';
const env = await startBenchEnv();
const tenv = { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
const t = Tmux.start({ columns: 80, rows: 24, cwd: '/work/main', env: tenv });
t.run(`node --max-semi-space-size=1 ${process.env.FLAGS ?? ''} ./bin/opsdeck.js --config ${env.configPath}`);
await new Promise((r) => setTimeout(r, Number(process.env.WAIT ?? 60) * 1000));
const pid = Number(
  execFileSync('pgrep', ['-P', String(t.panePid())], { encoding: 'utf8' })
    .trim()
    .split('\n')[0],
);
console.log(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
// biggest mappings by Rss
const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
const maps: { name: string; rss: number }[] = [];
let cur = '';
for (const l of smaps) {
  const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
  if (m) {
    cur = m[1] || '[anon]';
    continue;
  }
  const r = /^Rss:\s+(\d+)/.exec(l);
  if (r) maps.push({ name: cur, rss: Number(r[1]) });
}
const agg = new Map<string, number>();
for (const m of maps) agg.set(m.name, (agg.get(m.name) ?? 0) + m.rss);
console.log(
  [...agg]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([n, k]) => `${(k / 1024).toFixed(1)} MiB ${n}`)
    .join('\n'),
);
console.log('threads', readFileSync(`/proc/${pid}/status`, 'utf8').match(/Threads:\s+\d+/)![0]);
t.kill();
await env.cleanup();
