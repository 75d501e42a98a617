// (a) CPU used by the polling loop itself: probes + scheduler + store for all four targets
// (sandbox PostgreSQL, Redis, Docker with two containers, and the host) at default intervals,
// as % of one core over BENCH_SECONDS (default 60), after a warm-up. The child is bundled with
// esbuild like dist/ so no TypeScript loader runs inside the measurement. Baseline: a Node
// process idling with one 2 s setInterval over the same window, measured at the same time.
// Target: < 0.5 % of a core.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { childEnv, startBenchEnv } from './_sandbox.js';
import type { Row } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WARMUP_S = 5;

interface Measured {
  cpuUs: number;
  wallMs: number;
  failed?: string[];
  reads?: number;
  metrics?: number;
}

// Measures itself the same way the opsdeck child does: cpuUsage delta over the window.
const BASELINE = `
setInterval(() => {}, 2000);
const [warm, secs] = process.argv.slice(1).map(Number);
setTimeout(() => {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  setTimeout(() => {
    const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ cpuUs: c.user + c.system, wallMs: performance.now() - t0 }) + '\\n');
    process.exit(0);
  }, secs * 1000);
}, warm * 1000);
`;

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`child exited ${code}: ${out.slice(0, 300)}`));
      else resolve(JSON.parse(line) as Measured);
    });
  });
}

const pct = (m: Measured) => (m.cpuUs / 1000 / m.wallMs) * 100;

/** Runs the polling loop against the sandbox and the idle baseline side by side. */
export async function run(): Promise<Row[]> {
  const seconds = Number(process.env.BENCH_SECONDS) || 60;
  const env = await startBenchEnv();
  try {
    // Inside the project so the bundle's externals (ssh2, cpu-features…) resolve from node_modules.
    const bundle = path.join(here, '..', 'node_modules', '.cache', 'opsdeck-bench', 'polling-child.mjs');
    await build({
      entryPoints: [path.join(here, '_polling-child.ts')],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      external: ['node-pty', 'cpu-features', 'ssh2', 'pg-native'],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const [opsdeck, baseline] = await Promise.all([
      runChild([bundle, env.configPath, String(WARMUP_S), String(seconds)], childEnv(env.dir)),
      runChild(['-e', BASELINE, String(WARMUP_S), String(seconds)], childEnv(env.dir)),
    ]);
    if (opsdeck.failed?.length)
      process.stderr.write(`bench: polling-cpu: some targets failed: ${opsdeck.failed.join('; ')}\n`);
    process.stderr.write(
      `bench: polling-cpu: ${opsdeck.metrics} metric instances, ` +
        `${opsdeck.reads} samples each (history), ${seconds} s window\n`,
    );
    return [
      {
        name: `polling CPU, 4 targets, default intervals, ${seconds} s`,
        unit: '% of a core',
        opsdeck: pct(opsdeck),
        baseline: pct(baseline),
        baselineName: 'node idling, one 2 s setInterval',
        target: '< 0.5 %',
      },
    ];
  } finally {
    await env.cleanup();
  }
}
