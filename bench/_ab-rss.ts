// A/B: two builds of the console side by side against the same sandbox; RSS every 15 s.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, startBenchEnv } from './_sandbox.js';
const dirs = process.argv.slice(2);
const minutes = Number(process.env.AB_MINUTES ?? 4);
const env = await startBenchEnv();
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const tenv = { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
const ts = dirs.map((d) => {
  const t = Tmux.start({ columns: 80, rows: 24, cwd: d, env: tenv });
  t.run(`./bin/opsdeck.js --config ${env.configPath}`);
  return t;
});
await new Promise((r) => setTimeout(r, 5000));
const pids = ts.map((t) =>
  Number(
    execFileSync('pgrep', ['-P', String(t.panePid())], { encoding: 'utf8' })
      .trim()
      .split('\n')[0],
  ),
);
const c0 = pids.map(cpu);
const t0 = performance.now();
for (let s = 0; s <= minutes * 60; s += 15) {
  const el = performance.now() - t0;
  console.log(
    `${s}s`,
    pids
      .map(
        (p, i) =>
          `${dirs[i]}: ${rss(p).toFixed(1)} MiB, cpu ${s ? (((cpu(p) - c0[i]!) / el) * 100).toFixed(2) : '-'} %`,
      )
      .join('  '),
  );
  await new Promise((r) => setTimeout(r, 15000));
}
for (const t of ts) t.kill();
await env.cleanup();
