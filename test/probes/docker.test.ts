// The Docker probe against the shared sandbox engine. Other test files use the same engine, so
// only our uniquely named containers are asserted on.
import Docker from 'dockerode';
import { DockerEngine } from '../../src/docker/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerProbe, healthFromStatus, type DockerContainer, type DockerReading } from '../../src/probes/docker.js';
import type { ProbeResult } from '../../src/probes/types.js';
import type { DockerConnection } from '../../src/config/resolve.js';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { waitForContainer, waitForHealth } from '../../src/sandbox/index.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const signal = () => new AbortController().signal;
const base = { interval: 2000, statsInterval: 300, stopTimeout: 10_000 };

describe('healthFromStatus', () => {
  it.each([
    ['Up 3 minutes (healthy)', 'healthy'],
    ['Up 1 second (unhealthy)', 'unhealthy'],
    ['Up 2 seconds (health: starting)', 'starting'],
    ['Exited (0) 5 seconds ago', 'none'],
  ] as const)('%s → %s', (status, health) => expect(healthFromStatus(status)).toBe(health));
});

describe.skipIf(unavailable('docker'))('docker probe', () => {
  let docker: Docker; // an independent client
  let engine: DockerEngine;
  let probe: DockerProbe;
  const names = {
    running: uniqueName('run'),
    stopped: uniqueName('stopped'),
    healthy: uniqueName('healthy'),
    unhealthy: uniqueName('sick'),
    flappy: uniqueName('flappy'),
  };
  const created: { remove(o: { force: boolean }): Promise<unknown> }[] = [];

  const read = async (): Promise<ProbeResult<DockerReading> & { ok: true }> => {
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
    return r;
  };
  const find = (r: DockerReading, name: string): DockerContainer => {
    const c = r.containers.find((x) => x.name === name);
    if (!c) throw new Error(`container ${name} not in the reading`);
    return c;
  };

  beforeAll(async () => {
    const svc = dockerService();
    docker = new Docker({ socketPath: svc.socketPath });
    engine = new DockerEngine({ socketPath: svc.socketPath });
    const run = async (spec: Parameters<typeof runSandboxContainer>[2]) => {
      const c = await runSandboxContainer(engine, svc.image, spec);
      created.push(c);
      return c;
    };
    await run({ name: names.running, cmd: ['sleep', '3600'] });
    await run({ name: names.stopped, cmd: ['true'], start: false });
    const healthy = await run({
      name: names.healthy,
      cmd: ['sleep', '3600'],
      healthcheck: { test: ['true'], intervalMs: 300 },
    });
    const sick = await run({
      name: names.unhealthy,
      cmd: ['sleep', '3600'],
      healthcheck: { test: ['false'], intervalMs: 300, retries: 1 },
    });
    // A container that keeps failing under an on-failure policy accumulates restarts.
    const flappy = await docker.createContainer({
      name: names.flappy,
      Image: svc.image,
      Cmd: ['sh', '-c', 'sleep 0.2; exit 1'],
      HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } },
    });
    created.push(flappy);
    await flappy.start();
    await Promise.all([
      waitForHealth(healthy, 'healthy'),
      waitForHealth(sick, 'unhealthy'),
      waitForContainer(engine.container(flappy.id), (i) => i.RestartCount >= 1, 'restarted'),
    ]);
    probe = new DockerProbe({ socketPath: svc.socketPath, ...base }, 3000);
  });
  afterAll(async () => {
    await probe?.close();
    await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => undefined)));
  });

  it('lists running and stopped containers with state, health and restart count', async () => {
    const r = await read();
    expect(r.reading.engine.version).toMatch(/^\d+\./);
    const running = find(r.reading, names.running);
    expect(running).toMatchObject({
      state: 'running',
      health: 'none',
      restartCount: 0,
      image: expect.stringContaining('busybox'),
    });
    expect(running.id).toMatch(/^[0-9a-f]{12}$/);
    expect(running.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(running.startedAt).toBeLessThanOrEqual(Date.now());
    const stopped = find(r.reading, names.stopped);
    expect(stopped).toMatchObject({ state: 'created', uptimeSeconds: null, cpuPercent: null });
    expect(find(r.reading, names.healthy).health).toBe('healthy');
    expect(find(r.reading, names.unhealthy).health).toBe('unhealthy');
    expect(find(r.reading, names.flappy).restartCount).toBeGreaterThanOrEqual(1);
    expect(r.reading.counts.total).toBeGreaterThanOrEqual(5);
  });

  it('emits docker.reachable, and unhealthy/restarts per container name', async () => {
    const r = await read();
    const value = (metric: string, instance = '') =>
      r.metrics.find((m) => m.metric === metric && m.instance === instance)?.value;
    expect(value('docker.reachable')).toBe(1);
    expect(value('docker.unhealthy', names.unhealthy)).toBe(1);
    expect(value('docker.unhealthy', names.healthy)).toBe(0);
    expect(value('docker.unhealthy', names.stopped)).toBe(0);
    expect(value('docker.restarts', names.running)).toBe(0);
    expect(value('docker.restarts', names.flappy)).toBeGreaterThanOrEqual(1);
  });

  it('attaches background-sampled CPU and memory without stalling the read', async () => {
    const r = await waitFor(
      async () => {
        const got = await read();
        return find(got.reading, names.running).memoryBytes !== null && got;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a stats sample of the running container' },
    );
    const c = find(r.reading, names.running);
    expect(c.memoryBytes).toBeGreaterThan(0);
    expect(c.memoryLimitBytes).toBeGreaterThan(0);
    expect(c.statsAt).toBeLessThanOrEqual(Date.now());
    expect(find(r.reading, names.stopped).memoryBytes).toBeNull();
    // The stats call takes about a second; the read itself must not wait for it.
    expect(r.latencyMs).toBeLessThan(1000);
  });

  it('reports a missing socket as unreachable', async () => {
    const conn: DockerConnection = { socketPath: '/nonexistent/docker.sock', ...base };
    const p = new DockerProbe(conn, 3000);
    const r = await p.read(signal());
    await p.close();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('unreachable');
      expect(r.error.message).toContain('/nonexistent/docker.sock');
    }
    expect(r.metrics).toEqual([{ metric: 'docker.reachable', instance: '', value: 0, unit: 'count' }]);
  });
});
