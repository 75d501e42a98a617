// Idle CPU that HTTP endpoints add to the console (issue 15: "each HTTP endpoint at a 10 s interval
// adds at most 0.02 % of a core"). Two consoles in real terminals (tmux) against the sandbox's four
// targets, side by side over the same BENCH_SECONDS window: the baseline with the bench config as
// it is, the other with ENDPOINTS endpoints added (half http, half https with an openssl-made
// certificate) at the default 10 s interval, served by loopback servers in this process. The
// figure is (with − without) / ENDPOINTS, % of a core per endpoint: the main thread (as the
// console idle row measures it) and the whole process (V8's compiler and GC threads too).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEndpointServers } from '../test/helpers/endpoint-servers.js';
import { idleWindow, TimedTerminal } from './console-first-frame.js';
import { childEnv, ensureBuilt, startBenchEnv } from './_sandbox.js';
import type { Row } from './types.js';

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS) || 20;

export async function run(): Promise<Row[]> {
  ensureBuilt();
  const seconds = Number(process.env.BENCH_SECONDS) || 60;
  const env = await startBenchEnv();
  const srv = await startEndpointServers();
  const terminals: TimedTerminal[] = [];
  try {
    const base = JSON.parse(readFileSync(env.configPath, 'utf8')) as { targets: Record<string, unknown> };
    const withPath = path.join(env.dir, 'opsdeck-endpoints.yaml');
    const http = Array.from({ length: ENDPOINTS }, (_, i) =>
      i % 2 === 0
        ? { name: `web-${i}`, url: `${srv.plain}/ok` }
        : { name: `tls-${i}`, url: `${srv.good}/ok`, tlsVerify: false },
    );
    writeFileSync(withPath, JSON.stringify({ ...base, targets: { ...base.targets, http } }, null, 2));

    const tenv = { ...childEnv(env.dir), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const without = new TimedTerminal(80, 24, tenv, path.join(env.dir, 'fifo-without'));
    const withEp = new TimedTerminal(80, 24, tenv, path.join(env.dir, 'fifo-with'));
    terminals.push(without, withEp);
    without.tmux.run(`./bin/opsdeck.js --config ${env.configPath}; echo DONE-$((40+2))`);
    withEp.tmux.run(`./bin/opsdeck.js --config ${withPath}; echo DONE-$((40+2))`);
    await without.until('[1 Overview]');
    await withEp.until('web-0');
    await new Promise((r) => setTimeout(r, 5000));
    const asked0 = srv.hits.get('/ok') ?? 0;
    const [a, b] = await idleWindow([without.childPid(), withEp.childPid()], seconds);
    const asked = (srv.hits.get('/ok') ?? 0) - asked0;
    without.tmux.send('q');
    withEp.tmux.send('q');
    await Promise.all([without.until('DONE-42'), withEp.until('DONE-42')]);
    const perEndpoint = (b!.mainCpu - a!.mainCpu) / ENDPOINTS;
    process.stderr.write(
      `bench: endpoints-cpu: without ${a!.mainCpu.toFixed(3)} %, with ${ENDPOINTS} endpoints ` +
        `${b!.mainCpu.toFixed(3)} % (all threads ${a!.processCpu.toFixed(3)} → ${b!.processCpu.toFixed(3)} %), ` +
        `${asked} requests in ${seconds} s\n`,
    );
    return [
      {
        name: `console idle CPU per HTTP endpoint (10 s interval, ${ENDPOINTS} endpoints, ${seconds} s)`,
        unit: '% of a core',
        opsdeck: perEndpoint,
        baseline: 0,
        baselineName: `same console without endpoints (${a!.mainCpu.toFixed(3)} %)`,
        target: '≤ 0.02 %',
      },
      {
        name: `console idle CPU per HTTP endpoint, all threads (${ENDPOINTS} endpoints, ${seconds} s)`,
        unit: '% of a core',
        opsdeck: (b!.processCpu - a!.processCpu) / ENDPOINTS,
        baseline: 0,
        baselineName: `same console without endpoints (${a!.processCpu.toFixed(3)} %)`,
        target: '≤ 0.02 %',
      },
    ];
  } finally {
    for (const t of terminals) t.close();
    await srv.close();
    await env.cleanup();
  }
}
