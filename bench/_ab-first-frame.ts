// A/B of the console's first frame: each argument is a shell command line ({config} is replaced
// by the sandbox config path); they run round-robin RUNS times (default 7) in one 80×24 tmux
// terminal and the median time from Enter to '[1 Overview]' is printed for each.
// e.g. node --import tsx bench/_ab-first-frame.ts \
//        'node bin/opsdeck.js --config {config}' 'node /tmp/old/bin/opsdeck.js --config {config}'
import path from 'node:path';
import { TimedTerminal, timeStart } from './console-first-frame.js';
import { childEnv, ensureBuilt, median, startBenchEnv } from './_sandbox.js';

ensureBuilt();
const lines = process.argv.slice(2);
const runs = Number(process.env.RUNS) || 7;
const env = await startBenchEnv();
const t = new TimedTerminal(
  80,
  24,
  { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
  path.join(env.dir, 'fifo'),
);
try {
  const times = lines.map(() => [] as number[]);
  for (let i = 0; i < runs + 1; i++) {
    for (const [k, line] of lines.entries()) {
      const ms = await timeStart(t, line.replaceAll('{config}', env.configPath), '[1 Overview]', ['q']);
      if (i > 0) times[k]!.push(ms); // the first round warms the page cache
    }
  }
  for (const [k, line] of lines.entries())
    console.log(
      `${median(times[k]!).toFixed(0).padStart(5)} ms  [${times[k]!.map((x) => x.toFixed(0)).join(' ')}]  ${line}`,
    );
} finally {
  t.close();
  await env.cleanup();
}
