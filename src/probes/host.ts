// The host probe reads /proc and /sys directly: a read is a handful of small synchronous procfs
// reads (never blocking on a disk), which is far cheaper than systeminformation. Rates (CPU,
// network, per-process CPU) are deltas between reads; the first read takes a short window so a
// one-shot `status` still gets values. Disks and processes are slower-moving and costlier, so
// they are cached and refreshed on their own intervals.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { runBounded, throwIfAborted } from './boundary.js';
import {
  detectPageSize,
  parseMeminfo,
  parseNetDev,
  parsePidStat,
  parseProcStat,
  PSEUDO_FS,
  readDisks,
  type CpuTimes,
  type DiskUsage,
  type NetCounters,
} from './host-proc.js';
import { ProbeFailure, type MetricSample, type Probe, type ProbeResult } from './types.js';
import type { OpsdeckConfig } from '../config/resolve.js';

export interface CpuUsage {
  /** Busy percent of all cores together, 0–100. */
  percent: number;
  perCore: number[];
}
export { PSEUDO_FS, type DiskUsage } from './host-proc.js';

export interface NetInterface {
  name: string;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  /** Link speed from config `linkSpeedMbps` or /sys/class/net; null when unknown. */
  speedMbps: number | null;
  /** The busier direction as a percent of link speed (full duplex); null when the speed is unknown. */
  percent: number | null;
}
export interface ProcessInfo {
  pid: number;
  name: string;
  command: string;
  /** Percent of ONE core over the sampling window, as `top` shows it (can exceed 100). */
  cpuPercent: number;
  memoryBytes: number;
  memoryPercent: number;
}
export interface HostReading {
  hostname: string;
  uptimeSeconds: number;
  cpu: CpuUsage;
  load: { one: number; five: number; fifteen: number };
  memory: { totalBytes: number; availableBytes: number; usedBytes: number; percent: number };
  swap: { totalBytes: number; usedBytes: number; percent: number | null };
  disks: DiskUsage[];
  network: NetInterface[];
  /** Top processes, refreshed every `processesInterval`; `at` says when. */
  processes: { at: number; byCpu: ProcessInfo[]; byMemory: ProcessInfo[] } | null;
}

const TOP_N = 10;
const FIRST_WINDOW_MS = 150;
const SPEED_TTL_MS = 60_000;
const CLK_TCK = 100; // USER_HZ is 100 on every Linux ABI Node runs on.

interface ProcSample {
  at: number;
  ticks: Map<number, number>;
}

export interface HostProbeOptions {
  interval: number;
  timeoutMs: number;
  processesInterval: number;
  diskInterval: number;
  linkSpeedMbps: Record<string, number>;
  ignoreFsTypes: string[];
  /** Root of procfs/sysfs, for tests; defaults to '' (the real /proc and /sys). */
  root?: string;
}

/** Builds the host probe from the effective config. */
/** The host probe for a config; `processes: false` skips the process scan (one-shot status shows none). */
export function createHostProbe(config: OpsdeckConfig, opts: { processes?: boolean } = {}): Probe<HostReading> {
  const h = config.host;
  return new HostProbe({
    interval: h.interval,
    timeoutMs: config.probeTimeout,
    processesInterval: opts.processes === false ? Infinity : h.processesInterval,
    diskInterval: config.rules['host.disk']?.interval ?? 30_000,
    linkSpeedMbps: h.linkSpeedMbps,
    // Configured types are ignored in addition to the built-in pseudo filesystems.
    ignoreFsTypes: [...PSEUDO_FS, ...(h.ignoreFsTypes ?? [])],
  });
}

/** Reads CPU, load, memory, swap, disks, network and top processes from /proc and /sys. */
export class HostProbe implements Probe<HostReading> {
  readonly id = 'host';
  readonly interval: number;
  private prevCpu: { at: number; all: CpuTimes; cores: CpuTimes[] } | null = null;
  private prevNet: { at: number; counters: Map<string, NetCounters> } | null = null;
  private prevProcs: ProcSample | null = null;
  private processes: HostReading['processes'] = null;
  private disks: { at: number; list: DiskUsage[] } | null = null;
  private diskInFlight: Promise<void> | null = null;
  private speeds = new Map<string, { at: number; mbps: number | null }>();
  private pageSize: number | null = null;

  constructor(private readonly opts: HostProbeOptions) {
    this.interval = opts.interval;
  }

  /** One host reading; never rejects. */
  read(signal: AbortSignal): Promise<ProbeResult<HostReading>> {
    return runBounded(
      signal,
      {
        timeoutMs: this.opts.timeoutMs,
        context: { what: 'host', hints: { protocol: 'opsdeck reads /proc and /sys and needs Linux' } },
      },
      (s) => this.take(s),
    );
  }

  async close(): Promise<void> {
    this.prevCpu = this.prevNet = this.prevProcs = null;
  }

  private p(path: string): string {
    return (this.opts.root ?? '') + path;
  }

  private async take(signal: AbortSignal): Promise<{ reading: HostReading; metrics: MetricSample[] }> {
    const now = Date.now();
    const procsDue =
      Number.isFinite(this.opts.processesInterval) &&
      (!this.processes || now - this.processes.at >= this.opts.processesInterval);
    const disksDue = !this.disks || now - this.disks.at >= this.opts.diskInterval;
    if (disksDue) this.refreshDisks();
    if (!this.prevCpu) {
      // First read: take a baseline and wait a short window so rates have something to compare.
      this.sampleCpu();
      this.sampleNet();
      if (procsDue) await this.sampleProcesses(signal, false);
      await sleep(FIRST_WINDOW_MS, signal);
    }
    const cpu = this.sampleCpu();
    const network = this.sampleNet();
    const mem = parseMeminfo(readProc(this.p('/proc/meminfo')));
    if (procsDue) await this.sampleProcesses(signal, true, mem.MemTotal ?? 0);
    if (!this.disks && this.diskInFlight) await this.diskInFlight;
    throwIfAborted(signal);

    const [one = 0, five = 0, fifteen = 0] = readProc(this.p('/proc/loadavg')).split(/\s+/).map(Number);
    const uptimeSeconds = Math.round(Number(readProc(this.p('/proc/uptime')).split(/\s+/)[0]) || 0);
    const totalMem = mem.MemTotal ?? 0;
    const available = mem.MemAvailable ?? (mem.MemFree ?? 0) + (mem.Cached ?? 0) + (mem.Buffers ?? 0);
    const swapTotal = mem.SwapTotal ?? 0;
    const swapUsed = swapTotal - (mem.SwapFree ?? 0);
    const reading: HostReading = {
      hostname: os.hostname(),
      uptimeSeconds,
      cpu,
      load: { one, five, fifteen },
      memory: {
        totalBytes: totalMem,
        availableBytes: available,
        usedBytes: totalMem - available,
        percent: pct(totalMem - available, totalMem) ?? 0,
      },
      swap: { totalBytes: swapTotal, usedBytes: swapUsed, percent: pct(swapUsed, swapTotal) },
      disks: this.disks?.list ?? [],
      network,
      processes: this.processes,
    };
    return { reading, metrics: hostMetrics(reading) };
  }

  private sampleCpu(): CpuUsage {
    const at = Date.now();
    const { all, cores } = parseProcStat(readProc(this.p('/proc/stat')));
    const prev = this.prevCpu;
    this.prevCpu = { at, all, cores };
    if (!prev) return { percent: 0, perCore: cores.map(() => 0) };
    return { percent: busy(prev.all, all), perCore: cores.map((c, i) => busy(prev.cores[i] ?? c, c)) };
  }

  private sampleNet(): NetInterface[] {
    const at = Date.now();
    const counters = parseNetDev(readProc(this.p('/proc/net/dev')));
    const prev = this.prevNet;
    this.prevNet = { at, counters };
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const out: NetInterface[] = [];
    for (const [name, c] of counters) {
      if (name === 'lo') continue;
      const before = prev?.counters.get(name);
      // Counters reset when an interface is re-created; a negative delta is not traffic.
      const rate = (now: number, then: number | undefined) =>
        then === undefined || seconds <= 0 || now < then ? 0 : (now - then) / seconds;
      const rx = rate(c.rx, before?.rx);
      const tx = rate(c.tx, before?.tx);
      const speedMbps = this.linkSpeed(name, at);
      const percent = speedMbps ? round1((Math.max(rx, tx) * 8 * 100) / (speedMbps * 1e6)) : null;
      out.push({ name, rxBytesPerSec: Math.round(rx), txBytesPerSec: Math.round(tx), speedMbps, percent });
    }
    return out;
  }

  private linkSpeed(name: string, now: number): number | null {
    const configured = this.opts.linkSpeedMbps[name];
    if (configured) return configured;
    const cached = this.speeds.get(name);
    if (cached && now - cached.at < SPEED_TTL_MS) return cached.mbps;
    let mbps: number | null = null;
    try {
      // Virtual and down interfaces report -1 or fail with EINVAL: speed unknown.
      const v = Number(readFileSync(this.p(`/sys/class/net/${name}/speed`), 'utf8').trim());
      mbps = Number.isFinite(v) && v > 0 ? v : null;
    } catch {
      mbps = null;
    }
    this.speeds.set(name, { at: now, mbps });
    return mbps;
  }

  private refreshDisks(): void {
    // A hung network mount can block statfs forever; never stack a second scan behind it.
    if (this.diskInFlight) return;
    this.diskInFlight = readDisks(readProc(this.p('/proc/mounts')), new Set(this.opts.ignoreFsTypes))
      .then((list) => {
        this.disks = { at: Date.now(), list };
      })
      .catch(() => undefined)
      .finally(() => {
        this.diskInFlight = null;
      });
  }

  private async sampleProcesses(signal: AbortSignal, publish: boolean, memTotalBytes = 0): Promise<void> {
    const at = Date.now();
    const ticks = new Map<number, number>();
    const rss = new Map<number, number>();
    const names = new Map<number, string>();
    const pids = readdirSync(this.p('/proc'))
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
    // Synchronous procfs reads cost a fraction of async ones (no thread-pool hop per file); yield
    // between chunks so a host with thousands of processes never blocks the UI for long.
    for (let i = 0; i < pids.length; i += 100) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      throwIfAborted(signal);
      for (const pid of pids.slice(i, i + 100)) {
        const s = parsePidStat(readOptional(this.p(`/proc/${pid}/stat`)) ?? '');
        if (!s) continue; // the process exited between readdir and read
        ticks.set(pid, s.ticks);
        rss.set(pid, s.rssPages);
        names.set(pid, s.name);
      }
    }
    const prev = this.prevProcs;
    this.prevProcs = { at, ticks };
    if (!publish || !prev) return;
    const page = this.pageSize ?? (this.pageSize = detectPageSize('/proc/self/stat'));
    const seconds = Math.max((at - prev.at) / 1000, 0.001);
    const all: ProcessInfo[] = [...ticks].map(([pid, t]) => {
      const before = prev.ticks.get(pid) ?? t; // new process: no window yet, count nothing
      const memoryBytes = (rss.get(pid) ?? 0) * page;
      return {
        pid,
        name: names.get(pid) ?? '',
        command: '',
        cpuPercent: round1(((t - before) / CLK_TCK / seconds) * 100),
        memoryBytes,
        memoryPercent: round1(pct(memoryBytes, memTotalBytes) ?? 0),
      };
    });
    const byCpu = [...all].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes).slice(0, TOP_N);
    const byMemory = [...all].sort((a, b) => b.memoryBytes - a.memoryBytes).slice(0, TOP_N);
    for (const p of new Set([...byCpu, ...byMemory])) {
      const cmd = readOptional(this.p(`/proc/${p.pid}/cmdline`)) ?? '';
      p.command = cmd.replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, 200) || `[${p.name}]`;
    }
    this.processes = { at, byCpu, byMemory };
  }
}

/** Metric samples for a host reading (network samples only for interfaces of known speed). */
export function hostMetrics(r: HostReading): MetricSample[] {
  const out: MetricSample[] = [
    { metric: 'host.cpu', instance: '', value: r.cpu.percent, unit: '%' },
    { metric: 'host.memory', instance: '', value: r.memory.percent, unit: '%' },
  ];
  // No swap configured is not a problem to show as UNKNOWN forever: no sample at all.
  if (r.swap.percent !== null) out.push({ metric: 'host.swap', instance: '', value: r.swap.percent, unit: '%' });
  for (const d of r.disks) out.push({ metric: 'host.disk', instance: d.mount, value: d.percent, unit: '%' });
  // Without a link speed there is no percentage to judge; the rate is still in the reading.
  for (const n of r.network)
    if (n.percent !== null) out.push({ metric: 'host.network', instance: n.name, value: n.percent, unit: '%' });
  return out;
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProbeFailure('protocol', `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function busy(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  return total > 0 ? round1(Math.min(100, Math.max(0, ((total - (b.idle - a.idle)) / total) * 100))) : 0;
}

function pct(part: number, whole: number): number | null {
  return whole > 0 ? round1((part / whole) * 100) : null;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
