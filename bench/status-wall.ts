// (b) Wall time of `opsdeck status --json` with all four targets up (sandbox PostgreSQL, Redis,
// Docker, and the host), the built CLI spawned as a user would, median of 5 after one warm-up
// run. Baseline: `node -e 0`, the cost of starting Node at all. Target: < 0.5 s.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { childEnv, ensureBuilt, median, startBenchEnv } from './_sandbox.js';
import type { Row } from './types.js';

const RUNS = 5;

function timeOnce(args: string[], env: NodeJS.ProcessEnv, expectJson: boolean): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 30_000 });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (expectJson) {
    // status exits 0-3 by worst level; anything else (or no JSON) means the run itself failed.
    if (r.status === null || r.status > 3)
      throw new Error(`opsdeck status exited ${r.status}: ${r.stderr.slice(0, 300)}`);
    let report: { targets: { id: string; ok: boolean }[] };
    try {
      report = JSON.parse(r.stdout) as typeof report;
    } catch {
      throw new Error(
        `opsdeck status printed no JSON (exit ${r.status}): ${r.stderr.slice(0, 300) || r.stdout.slice(0, 300)}`,
      );
    }
    const down = report.targets.filter((t) => !t.ok && t.id !== 'backups').map((t) => t.id);
    if (down.length) throw new Error(`targets not up during the bench: ${down.join(', ')}`);
  }
  return ms;
}

/** Median wall time of the real CLI's one-shot status against Node's bare start-up. */
export async function run(): Promise<Row[]> {
  ensureBuilt();
  const env = await startBenchEnv();
  try {
    const cli = [path.resolve('bin/opsdeck.js'), 'status', '--json', '--config', env.configPath];
    const e = childEnv(env.dir);
    timeOnce(cli, e, true);
    timeOnce(['-e', '0'], e, false);
    const opsdeck: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      opsdeck.push(timeOnce(cli, e, true));
      baseline.push(timeOnce(['-e', '0'], e, false));
    }
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    process.stderr.write(`bench: status-wall: opsdeck ${ms(opsdeck)} ms; node -e 0 ${ms(baseline)} ms\n`);
    return [
      {
        name: `opsdeck status --json, 4 targets up, median of ${RUNS}`,
        unit: 's',
        opsdeck: median(opsdeck) / 1000,
        baseline: median(baseline) / 1000,
        baselineName: 'node -e 0',
        target: '< 0.5 s',
      },
    ];
  } finally {
    await env.cleanup();
  }
}
