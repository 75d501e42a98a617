// Runs the console RUNS times (default 6, the first not shown) in tmux with OPSDECK_TRACE=1 and
// prints its start-up milestones. argv[2]: the command (default: node bin/opsdeck.js).
import { mkdirSync } from 'node:fs';
import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, startBenchEnv } from './_sandbox.js';
mkdirSync('/tmp/prof', { recursive: true });
const env = await startBenchEnv();
const t = Tmux.start({
  columns: 80,
  rows: 24,
  cwd: process.cwd(),
  env: { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cmd = process.argv[2] ?? 'node --max-semi-space-size=1 bin/opsdeck.js';
for (let i = 0; i < (Number(process.env.RUNS) || 6); i++) {
  t.run(`clear; OPSDECK_TRACE=1 ${cmd} --config ${env.configPath} 2>/tmp/prof/trace.txt; echo DONE-$((40+${i}))`);
  for (let k = 0; k < 100 && !t.capture().includes('Overview'); k++) await sleep(30);
  await sleep(700);
  t.send('q');
  for (let k = 0; k < 100 && !t.capture().includes(`DONE-${40 + i}`); k++) await sleep(50);
  const { readFileSync } = await import('node:fs');
  const line = readFileSync('/tmp/prof/trace.txt', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('opsdeck: start '));
  if (i > 0) console.log(line);
}
t.kill();
await env.cleanup();
