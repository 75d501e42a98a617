import { Tmux } from '../test/e2e/tmux.js';
import { childEnv, startBenchEnv } from './_sandbox.js';
const env = await startBenchEnv();
const t = Tmux.start({ columns: 80, rows: 24, cwd: process.cwd(), env: { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 6; i++) {
  t.run(`clear; OPSDECK_PROF_RENDER=/tmp/prof/render-${i}.cpuprofile node --max-semi-space-size=1 bin/opsdeck.js --config ${env.configPath}; echo DONE-$((40+${i}))`);
  for (let k = 0; k < 100 && !t.capture().includes('Overview'); k++) await sleep(30);
  await sleep(700);
  t.send('q');
  for (let k = 0; k < 100 && !t.capture().includes(`DONE-${40 + i}`); k++) await sleep(50);
}
t.kill();
await env.cleanup();
