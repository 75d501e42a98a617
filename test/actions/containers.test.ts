// Start, stop and restart of a real container on the sandbox Docker engine, with its blast
// radius (uptime, dependents) and the typed errors an operator will meet.
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { DockerEngine } from '../../src/docker/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { containerBlastRadius, containerPlan, referenceVia } from '../../src/actions/containers.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';

const audit = new MemoryAudit();
const guard = new ActionGuard({ readOnly: false, audit, timer: false });
const opts = { stopTimeoutMs: 5000, settleMs: 300 };

describe('referenceVia', () => {
  const info = (labels: Record<string, string>, host: { Links?: string[]; NetworkMode?: string }) =>
    ({ Config: { Labels: labels }, HostConfig: host }) as unknown as Parameters<typeof referenceVia>[0];
  it('finds compose depends_on, legacy links and a shared network stack', () => {
    expect(
      referenceVia(
        info(
          {
            'com.docker.compose.project': 'itsm',
            'com.docker.compose.depends_on': 'db:service_healthy:false,cache:service_started:true',
          },
          {},
        ),
        'id1',
        'itsm-db-1',
        'itsm',
        'db',
      ),
    ).toBe('depends_on');
    expect(
      referenceVia(
        info(
          { 'com.docker.compose.project': 'other', 'com.docker.compose.depends_on': 'db:service_started:false' },
          {},
        ),
        'id1',
        'x',
        'itsm',
        'db',
      ),
    ).toBeNull();
    expect(referenceVia(info({}, { Links: ['/pg:/web/db'] }), 'id1', 'pg')).toBe('link');
    expect(referenceVia(info({}, { NetworkMode: 'container:abcdef0123456789' }), 'abcdef0123456789ffff', 'pg')).toBe(
      'network_mode',
    );
    expect(referenceVia(info({}, { NetworkMode: 'bridge' }), 'abc', 'pg')).toBeNull();
  });
});

describe.skipIf(unavailable('docker'))('container actions on a real engine', () => {
  let docker: Docker; // an independent client, to check what our engine client did
  let engine: DockerEngine;
  let name: string;
  const created: string[] = [];

  beforeAll(async () => {
    const svc = dockerService();
    docker = new Docker({ socketPath: svc.socketPath });
    engine = new DockerEngine({ socketPath: svc.socketPath });
    name = uniqueName('opsdeck_web');
    const project = uniqueName('proj');
    // A shell that exits on TERM at once (PID 1 ignores signals it has no handler for).
    await runSandboxContainer(engine, svc.image, {
      name,
      cmd: ['sh', '-c', "trap 'exit 0' TERM; echo ready; while :; do sleep 0.2; done"],
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': 'db' },
    });
    created.push(name);
    const target = await docker.getContainer(name).inspect();
    // Two dependents: one shares the target's network stack, one is a compose service depending on it.
    const netDep = uniqueName('opsdeck_sidecar');
    await docker.createContainer({
      name: netDep,
      Image: svc.image,
      Cmd: ['sleep', '60'],
      HostConfig: { NetworkMode: `container:${target.Id}` },
    });
    created.push(netDep);
    const composeDep = uniqueName('opsdeck_app');
    await runSandboxContainer(engine, svc.image, {
      name: composeDep,
      cmd: ['sleep', '60'],
      start: false,
      labels: {
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'app',
        'com.docker.compose.depends_on': 'db:service_started:false',
      },
    });
    created.push(composeDep);
  });

  afterAll(async () => {
    for (const n of created)
      await docker
        ?.getContainer(n)
        .remove({ force: true })
        .catch(() => undefined);
  });

  const running = async (): Promise<boolean> => (await docker.getContainer(name).inspect()).State.Running;

  it('shows uptime and dependents before a stop', async () => {
    const lines = await containerBlastRadius(engine, name);
    expect(lines[0]).toMatch(/^running for \d/);
    const deps = lines.find((l) => l.startsWith('2 dependent containers: '));
    expect(deps).toMatch(/opsdeck_sidecar_\w+ \(created, network_mode\)/);
    expect(deps).toMatch(/opsdeck_app_\w+ \(created, depends_on\)/);
  });

  it('stops, refuses to stop twice (already stopped), starts, refuses to start twice, restarts', async () => {
    const stop = containerPlan(engine, 'stop', name, opts);
    expect(stop.danger).toBe('confirm');
    expect(stop.steps[0]!.describe().text).toBe(`POST /containers/${name}/stop?t=5`);
    const stopped = await executePlan(stop, { guard, audit });
    expect(stopped.result, stopped.summary.join('\n')).toBe('succeeded');
    expect(await running()).toBe(false);

    const again = await executePlan(containerPlan(engine, 'stop', name, opts), { guard, audit });
    expect(again.result).toBe('failed');
    expect(again.errorKind).toBe('already_stopped');
    expect(again.summary[0]).toBe(`Failed at "stop container ${name}": container ${name} is already stopped`);
    expect((await containerBlastRadius(engine, name))[0]).toMatch(/^not running \(exited/);

    const started = await executePlan(containerPlan(engine, 'start', name, opts), { guard, audit });
    expect(started.result, started.summary.join('\n')).toBe('succeeded');
    expect(await running()).toBe(true);

    const twice = await executePlan(containerPlan(engine, 'start', name, opts), { guard, audit });
    expect(twice.errorKind).toBe('already_running');
    expect(twice.error).toBe(`container ${name} is already running`);

    const before = (await docker.getContainer(name).inspect()).State.StartedAt;
    const restarted = await executePlan(containerPlan(engine, 'restart', name, opts), { guard, audit });
    expect(restarted.result, restarted.summary.join('\n')).toBe('succeeded');
    const after = await docker.getContainer(name).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
  });

  it('says "not found" for a missing container, even one named like a shell command', async () => {
    const marker = `/tmp/opsdeck-pwned-${process.pid}-docker`;
    for (const n of [uniqueName('opsdeck_missing'), `x; touch ${marker}`]) {
      const out = await executePlan(containerPlan(engine, 'stop', n, opts), { guard, audit });
      expect(out.errorKind).toBe('not_found');
      expect(out.error).toBe(`no container named ${n} on this engine`);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('says the engine is unreachable when the socket is not there', async () => {
    const gone = new DockerEngine({ socketPath: '/tmp/opsdeck-no-such-docker.sock' });
    const out = await executePlan(containerPlan(gone, 'restart', 'web', opts), { guard, audit });
    expect(out.errorKind).toBe('unreachable');
    expect(out.error).toMatch(/Docker engine is unreachable \(ENOENT\)/);
    expect(await containerBlastRadius(gone, 'web')).toEqual([expect.stringMatching(/unreachable/)]);
  });
});
