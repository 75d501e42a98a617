// The Docker probe: one list call per read (all containers, stopped included), inspect only for
// containers whose state/status text changed (restart count and start time live there), and
// resource stats sampled in the background — a one-shot stats call takes about a second per
// container, so it must never sit inside a read. Readings carry the latest cached numbers.
import { reachableOnFailure, runBounded, type ErrorContext } from './boundary.js';
import type { MetricSample, Probe, ProbeResult } from './types.js';
import type { DockerConnection } from '../config/resolve.js';
import { dockerClient, type DockerEngine, type ContainerStats, type ContainerSummary } from '../docker/index.js';
import { compareText } from '../util/text.js';

export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface DockerContainer {
  /** Short (12 hex) id. */
  id: string;
  name: string;
  image: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  /** Docker's own text, e.g. "Up 3 minutes (healthy)", "Exited (1) 2 hours ago". */
  status: string;
  health: ContainerHealth;
  restartCount: number | null;
  startedAt: number | null;
  uptimeSeconds: number | null;
  /** Like `docker stats`: percent of one core (200 = two cores busy); null until sampled. */
  cpuPercent: number | null;
  /** Usage without the page cache, as `docker stats` reports it. */
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  memoryPercent: number | null;
  /** When the stats above were sampled (they lag by up to `statsInterval`). */
  statsAt: number | null;
}

export interface DockerReading {
  engine: { version: string; apiVersion: string; os: string; arch: string };
  containers: DockerContainer[];
  counts: { total: number; running: number; stopped: number; unhealthy: number };
}

interface InspectCache {
  key: string;
  restartCount: number | null;
  startedAt: number | null;
}
interface StatsCache {
  at: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
}

const PARALLEL = 8;

/** Describes the engine endpoint for messages. */
export function dockerEndpoint(c: DockerConnection): string {
  return c.socketPath
    ? `Docker at ${c.socketPath}`
    : `Docker at ${c.protocol ?? 'http'}://${c.host ?? 'localhost'}:${c.port ?? 2375}`;
}

/** Reads the Docker engine and every container on it. */
export class DockerProbe implements Probe<DockerReading> {
  readonly id = 'docker';
  readonly interval: number;
  private readonly docker: DockerEngine;
  private readonly context: ErrorContext;
  private engine: DockerReading['engine'] | null = null;
  private inspects = new Map<string, InspectCache>();
  private stats = new Map<string, StatsCache>();
  private runningIds: string[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  private statsAbort: AbortController | null = null;
  private closed = false;

  constructor(
    private readonly conn: DockerConnection,
    private readonly timeoutMs: number,
  ) {
    this.interval = conn.interval;
    this.docker = dockerClient(conn, { timeoutMs: timeoutMs + 2000 });
    this.context = {
      what: dockerEndpoint(conn),
      hints: {
        unreachable: 'is dockerd running? check targets.docker.socket / host (or DOCKER_HOST)',
        auth: 'opsdeck cannot open the Docker socket: run it as a user in the "docker" group',
        timeout: 'is dockerd overloaded or hung? try `docker info`',
      },
    };
  }

  /** One reading; never rejects, resolves within the probe timeout. */
  read(signal: AbortSignal): Promise<ProbeResult<DockerReading>> {
    return runBounded(
      signal,
      {
        timeoutMs: this.timeoutMs,
        context: this.context,
        failureMetrics: reachableOnFailure('docker.reachable'),
      },
      (s) => this.take(s),
    ).then((r) => {
      if (!r.ok) {
        // Re-read the version after an outage (the engine may have been upgraded) and pause stats.
        this.engine = null;
        this.runningIds = [];
      }
      return r;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.statsTimer = null;
    this.statsAbort?.abort();
    this.docker.close();
  }

  private async take(signal: AbortSignal): Promise<{ reading: DockerReading; metrics: MetricSample[] }> {
    const docker = this.docker;
    const [engine, list] = await Promise.all([
      this.engine ??
        docker.version(signal).then((v) => {
          this.engine = { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
          return this.engine;
        }),
      docker.listContainers({ all: true, signal }),
    ]);
    await this.refreshInspects(list, signal);
    this.runningIds = list.filter((c) => c.State === 'running').map((c) => c.Id);
    for (const id of this.stats.keys()) if (!this.runningIds.includes(id)) this.stats.delete(id);
    this.startStats();

    const now = Date.now();
    const containers = list
      .map((c): DockerContainer => {
        const ins = this.inspects.get(c.Id);
        const st = c.State === 'running' ? this.stats.get(c.Id) : undefined;
        const startedAt = ins?.startedAt ?? null;
        const memPct =
          st?.memoryBytes != null && st.memoryLimitBytes
            ? Math.round((st.memoryBytes / st.memoryLimitBytes) * 1000) / 10
            : null;
        return {
          id: c.Id.slice(0, 12),
          name: containerName(c.Names, c.Id),
          image: c.Image,
          state: c.State,
          status: c.Status,
          health: healthFromStatus(c.Status),
          restartCount: ins?.restartCount ?? null,
          startedAt,
          uptimeSeconds: c.State === 'running' && startedAt ? Math.max(0, Math.round((now - startedAt) / 1000)) : null,
          cpuPercent: st?.cpuPercent ?? null,
          memoryBytes: st?.memoryBytes ?? null,
          memoryLimitBytes: st?.memoryLimitBytes ?? null,
          memoryPercent: memPct,
          statsAt: st?.at ?? null,
        };
      })
      .sort((a, b) => compareText(a.name, b.name));
    const running = containers.filter((c) => c.state === 'running').length;
    const reading: DockerReading = {
      engine,
      containers,
      counts: {
        total: containers.length,
        running,
        stopped: containers.length - running,
        unhealthy: containers.filter((c) => c.health === 'unhealthy').length,
      },
    };
    return { reading, metrics: dockerMetrics(reading) };
  }

  private async refreshInspects(list: ContainerSummary[], signal: AbortSignal): Promise<void> {
    const ids = new Set(list.map((c) => c.Id));
    for (const id of this.inspects.keys()) if (!ids.has(id)) this.inspects.delete(id);
    // The restart count only changes with the state/status text, so inspect just those that changed.
    const stale = list.filter((c) => this.inspects.get(c.Id)?.key !== `${c.State}|${c.Status}`);
    await inBatches(stale, PARALLEL, async (c) => {
      const info = await this.docker
        .container(c.Id)
        .inspect(signal)
        .catch(() => null);
      if (!info) return; // removed in between: shown without a restart count this time
      const started = Date.parse(info.State.StartedAt);
      this.inspects.set(c.Id, {
        key: `${c.State}|${c.Status}`,
        restartCount: info.RestartCount,
        startedAt: Number.isFinite(started) && started > 0 ? started : null,
      });
    });
  }

  private startStats(): void {
    if (this.statsTimer || this.statsAbort || this.closed) return;
    this.scheduleStats(0);
  }

  private scheduleStats(delay: number): void {
    if (this.closed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      void this.sampleStats().finally(() => this.scheduleStats(this.conn.statsInterval));
    }, delay);
    this.statsTimer.unref();
  }

  private async sampleStats(): Promise<void> {
    const ids = [...this.runningIds];
    if (ids.length === 0) return;
    const abort = new AbortController();
    this.statsAbort = abort;
    // A stats call waits ~1 s for a second CPU sample; give it that on top of the probe timeout.
    const timer = setTimeout(() => abort.abort(), this.timeoutMs + 2000);
    try {
      await inBatches(ids, PARALLEL, async (id) => {
        const s = await this.docker
          .container(id)
          .stats(abort.signal)
          .catch(() => null);
        if (s && !this.closed) this.stats.set(id, { at: Date.now(), ...statsNumbers(s) });
      });
    } finally {
      clearTimeout(timer);
      this.statsAbort = null;
    }
  }
}

/** Metric samples for a Docker reading: reachability, and per container unhealthy and restarts. */
export function dockerMetrics(r: DockerReading): MetricSample[] {
  const out: MetricSample[] = [{ metric: 'docker.reachable', instance: '', value: 1, unit: 'count' }];
  for (const c of r.containers) {
    out.push({ metric: 'docker.unhealthy', instance: c.name, value: c.health === 'unhealthy' ? 1 : 0, unit: 'count' });
    out.push({ metric: 'docker.restarts', instance: c.name, value: c.restartCount, unit: 'count' });
  }
  return out;
}

/** Health from the list's status text: "(healthy)", "(unhealthy)", "(health: starting)". */
export function healthFromStatus(status: string): ContainerHealth {
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return 'none';
}

/** CPU % (docker's formula) and memory without page cache from one stats sample. */
export function statsNumbers(s: ContainerStats): Omit<StatsCache, 'at'> {
  const cpu = s.cpu_stats;
  const pre = s.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cores = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  const hasPre = (pre?.system_cpu_usage ?? 0) > 0;
  const cpuPercent =
    hasPre && sysDelta > 0 && cpuDelta >= 0 ? Math.round((cpuDelta / sysDelta) * cores * 1000) / 10 : null;
  const m = s.memory_stats;
  const stats = (m?.stats ?? {}) as Record<string, number | undefined>;
  // cgroup v1 counts page cache in usage; v2 reports inactive_file separately. Docker subtracts both.
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const memoryBytes = typeof m?.usage === 'number' ? Math.max(0, m.usage - (cache < m.usage ? cache : 0)) : null;
  const memoryLimitBytes = typeof m?.limit === 'number' && m.limit > 0 ? m.limit : null;
  return { cpuPercent, memoryBytes, memoryLimitBytes };
}

function containerName(names: string[], id: string): string {
  // Legacy links add names like "/other/alias"; the container's own name has a single slash.
  const own = names.find((n) => n.lastIndexOf('/') === 0) ?? names[0];
  return own ? own.replace(/^\//, '') : id.slice(0, 12);
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
