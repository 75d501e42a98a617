// Child process for bench/polling-cpu.ts: runs the real probes, scheduler and store (no UI) for
// warm-up + measure seconds and prints the CPU this process used during the measured window.
// argv: <config path> <warm-up seconds> <measure seconds>
import { loadConfig } from '../src/config/resolve.js';
import { createProbes } from '../src/app/probes.js';
import { startScheduler } from '../src/state/scheduler.js';
import { createLiveStore } from '../src/app/stores.js';

const [configPath, warmArg, secondsArg] = process.argv.slice(2);
const config = await loadConfig({ configPath: configPath!, discover: false });
const store = createLiveStore(config, { readOnly: true });
const scheduler = startScheduler(createProbes(config), store, { timeout: config.probeTimeout });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Warm-up: connections opened, modules loaded, first reads (and the host probe's baseline) done.
await sleep(Number(warmArg) * 1000);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await sleep(Number(secondsArg) * 1000);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
const s = store.getState();
const failed = Object.values(s.targets)
  .filter((t) => t.latest && !t.latest.ok)
  .map((t) => `${t.id}: ${t.latest?.error?.message ?? ''}`);
const reads = Object.values(s.history).reduce((n, h) => Math.max(n, h.values.length), 0);
await scheduler.stop();
process.stdout.write(
  `${JSON.stringify({ cpuUs: cpu.user + cpu.system, wallMs, failed, reads, metrics: Object.keys(s.alerts).length })}\n`,
);
