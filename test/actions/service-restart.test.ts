// Restart and reload of every service kind (issue 15, point 4) and the health step they end with
// (point 3): a real argv service (a shell daemon that writes a pid file and records each HUP), a
// real container on the sandbox Docker engine, a real compose project (Debian's docker-compose on the
// same engine), the systemd driver's argv (systemd is not running in this container: pure logic, said
// so), and read-only refusal.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { serviceDriver } from '../../src/actions/service-drivers.js';
import { allServicesPlan, servicePlan } from '../../src/actions/services.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { healthChecker } from '../../src/app/health-checker.js';
import { DockerEngine } from '../../src/docker/index.js';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { freePort } from '../../src/sandbox/ports.js';

let dir: string;
const audit = new MemoryAudit();
const guard = new ActionGuard({ readOnly: false, audit, timer: false });

function parse(input: ConfigInput) {
  const c = configSchema.parse(input);
  return { services: c.services, health: healthChecker({ checks: c.checks, defaultChecks: c.defaultChecks }) };
}

// The manual's `run_production.sh start|stop|status|reload`, as a real daemon with a pid file.
const SCRIPT = `#!/bin/sh
D=$(dirname "$0")
case "$1" in
  daemon)
    trap 'echo "hup $(date +%s%N)" >> "$D/hups"' HUP
    trap 'rm -f "$D/pid"; exit 0' TERM
    echo $$ > "$D/pid.tmp" && mv "$D/pid.tmp" "$D/pid"
    while :; do sleep 0.1 & wait $!; done ;;
  start)
    "$0" daemon </dev/null >/dev/null 2>&1 &
    i=0; while [ ! -s "$D/pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done ;;
  stop)
    [ -s "$D/pid" ] || exit 0
    p=$(cat "$D/pid"); kill "$p"
    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done ;;
  status)
    if [ -s "$D/pid" ] && kill -0 "$(cat "$D/pid")" 2>/dev/null; then
      echo "PID: $(cat "$D/pid")"; echo "workers: 2"; echo "memory: 12 MB"; exit 0
    fi
    echo "not running"; exit 3 ;;
  reload) kill -HUP "$(cat "$D/pid")" ;;
esac
`;

let script: string;
const pid = (): number => Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
const hups = (): number =>
  existsSync(path.join(dir, 'hups')) ? readFileSync(path.join(dir, 'hups'), 'utf8').trim().split('\n').length : 0;

function appService(extra: Record<string, unknown> = {}) {
  return {
    name: 'app',
    group: 'application' as const,
    start: [script, 'start'],
    stop: [script, 'stop'],
    status: [script, 'status'],
    reload: [script, 'reload'],
    timeout: '10s',
    ...extra,
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-restart-'));
  script = path.join(dir, 'run_production.sh');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
});

afterAll(async () => {
  if (existsSync(path.join(dir, 'pid'))) {
    try {
      process.kill(pid(), 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('argv services: restart and reload of a real daemon', () => {
  it('restarts by stop then start (a new pid), reloads with HUP (same pid), and shows its status output', async () => {
    const marker = path.join(dir, 'healthy');
    const { services, health } = parse({
      services: [appService({ checks: ['marker'] })],
      checks: [{ name: 'marker', command: ['test', '-e', marker] }],
    });
    const deps = { pollMs: 50, ...(health ? { health } : {}) };
    const started = await executePlan(await servicePlan(services, 'start', 'app', deps), { guard, audit });
    expect(started.result, started.summary.join('\n')).toBe('succeeded');
    const first = pid();

    const status = await serviceDriver(services[0]!).status(AbortSignal.timeout(5000));
    expect(status.state).toBe('running');
    expect(status.output).toEqual([`PID: ${first}`, 'workers: 2', 'memory: 12 MB']);

    writeFileSync(marker, '');
    const restart = await servicePlan(services, 'restart', 'app', deps);
    expect(restart.danger).toBe('confirm');
    expect(restart.steps.map((s) => s.title)).toEqual(['restart app', 'health check']);
    expect(restart.steps[0]!.describe().text).toContain(`${script} stop, then ${script} start`);
    expect(restart.steps[1]!.describe().text).toContain(`marker: run test -e ${marker} → exit 0`);
    const restarted = await executePlan(restart, { guard, audit });
    expect(restarted.result, restarted.summary.join('\n')).toBe('succeeded');
    expect(pid()).not.toBe(first);
    expect(restarted.steps[1]!.output).toContain('PASS marker: exit 0 (1 attempt)');
    expect(restarted.steps[1]!.note).toBe('1 check passed');
    expect(audit.entries.filter((e) => e.action === 'service.restart').map((e) => e.event)).toEqual([
      'confirmed',
      'succeeded',
    ]);

    const second = pid();
    const before = hups();
    const reloaded = await executePlan(await servicePlan(services, 'reload', 'app', deps), { guard, audit });
    expect(reloaded.result, reloaded.summary.join('\n')).toBe('succeeded');
    await waitFor(() => hups() === before + 1, { what: 'the daemon to record the HUP' });
    expect(pid()).toBe(second);

    // The health step fails the plan and says which check and why.
    rmSync(marker);
    const failed = await executePlan(await servicePlan(services, 'restart', 'app', deps), { guard, audit });
    expect(failed.result).toBe('failed');
    expect(failed.steps[0]!.status).toBe('done');
    expect(failed.steps[1]!.status).toBe('failed');
    expect(failed.error).toBe('health check failed: marker (exit code 1, 1 attempt)');
    expect(failed.steps[1]!.output).toContain('FAIL marker: exit code 1 (1 attempt)');
    expect(failed.summary[0]).toBe('Failed at "health check": health check failed: marker (exit code 1, 1 attempt)');
  });

  it('uses a configured restart command instead of stop and start', async () => {
    const rec = path.join(dir, 'restart-ran');
    const { services } = parse({ services: [appService({ restart: ['touch', rec] })] });
    const plan = await servicePlan(services, 'restart', 'app', { pollMs: 50 });
    expect(plan.steps[0]!.describe().argv).toEqual(['touch', rec]);
    const out = await executePlan(plan, { guard, audit });
    expect(out.result, out.summary.join('\n')).toBe('succeeded');
    expect(existsSync(rec)).toBe(true);
  });

  it('refuses a reload where the service has none, in words, before any plan', async () => {
    const { services } = parse({ services: [appService({ reload: undefined })] });
    await expect(servicePlan(services, 'reload', 'app')).rejects.toThrow(
      'service app has no reload command configured (add reload: [argv…], e.g. ["kill", "-HUP", …]); ' +
        'restart it instead',
    );
  });

  it('is refused in read-only mode by the action layer: nothing restarts, and the refusal is audited', async () => {
    const { services } = parse({ services: [appService()] });
    const ro = new MemoryAudit();
    const roGuard = new ActionGuard({ readOnly: true, audit: ro, timer: false });
    await executePlan(await servicePlan(services, 'start', 'app', { pollMs: 50 }), { guard, audit });
    const p = pid();
    for (const verb of ['restart', 'reload'] as const) {
      const out = await executePlan(await servicePlan(services, verb, 'app', { pollMs: 50 }), {
        guard: roGuard,
        audit: ro,
      });
      expect(out.result).toBe('refused');
      expect(out.summary.at(-1)).toBe('Nothing was done.');
    }
    expect(pid()).toBe(p);
    expect(ro.entries.map((e) => `${e.action} ${e.event}`)).toEqual([
      'service.restart refused',
      'service.reload refused',
    ]);
  });

  it('start-all ends with the default checks, retried within their window, and names the failing one', async () => {
    const port = await freePort();
    const { services, health } = parse({
      services: [appService()],
      checks: [
        { name: 'pid-file', command: ['test', '-s', path.join(dir, 'pid')] },
        { name: 'api-port', tcp: `127.0.0.1:${port}`, timeout: '1s', retry: { every: '100ms', within: '400ms' } },
      ],
      defaultChecks: ['pid-file', 'api-port'],
    });
    const plan = await allServicesPlan(services, 'start', undefined, { pollMs: 50, ...(health ? { health } : {}) });
    const out = await executePlan(plan, { guard, audit });
    expect(out.result).toBe('failed');
    const step = out.steps.at(-1)!;
    expect(step.output).toContain('PASS pid-file: exit 0 (1 attempt)');
    expect(step.output.find((l) => l.startsWith('FAIL api-port'))).toMatch(
      /^FAIL api-port: connection refused \([3-6] attempts\)$/,
    );
    expect(out.error).toMatch(/^health check failed: api-port \(connection refused, [3-6] attempts\)$/);
  });
});

describe('systemd and compose drivers (argv construction only)', () => {
  // Systemd is not running in this container and compose is not installed: what they are given is checked.
  it('systemd: systemctl restart|reload UNIT, one argument each', () => {
    const { services } = parse({ services: [{ name: 'web', systemd: 'nginx.service' }] });
    const d = serviceDriver(services[0]!, { bins: { systemctl: '/bin/systemctl' } });
    expect(d.describe('restart').argv).toEqual(['/bin/systemctl', 'restart', 'nginx.service']);
    expect(d.describe('reload').argv).toEqual(['/bin/systemctl', 'reload', 'nginx.service']);
    expect(d.unable('reload')).toBeNull();
  });

  it('compose: `docker compose … restart SERVICES`; reload is refused with a clear message', async () => {
    const { services } = parse({
      services: [{ name: 'itsm', compose: { project: 'itsm', services: ['backend', 'worker'] } }],
    });
    const d = serviceDriver(services[0]!, { compose: { argv: ['docker', 'compose'], v1: false, missing: false } });
    expect(d.describe('restart').argv).toEqual(['docker', 'compose', '-p', 'itsm', 'restart', 'backend', 'worker']);
    await expect(servicePlan(services, 'reload', 'itsm')).rejects.toThrow(
      'service itsm is a compose project, which has no reload: restart it instead',
    );
  });
});

describe.skipIf(unavailable('docker'))('container services on a real engine', () => {
  let docker: Docker;
  let engine: DockerEngine;
  let name: string;

  beforeAll(async () => {
    const svc = dockerService();
    docker = new Docker({ socketPath: svc.socketPath });
    engine = new DockerEngine({ socketPath: svc.socketPath });
    name = uniqueName('opsdeck_svc');
    await runSandboxContainer(engine, svc.image, {
      name,
      cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
    });
  });

  afterAll(async () => {
    await docker
      ?.getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('restart changes StartedAt and ends with the health step, which passes or fails with its checks', async () => {
    const marker = path.join(dir, 'container-ok');
    const { services, health } = parse({
      services: [{ name: 'web', container: name, checks: ['ok'], timeout: '20s' }],
      checks: [{ name: 'ok', command: ['test', '-e', marker] }],
    });
    const deps = { docker: engine, stopTimeoutMs: 2000, pollMs: 100, ...(health ? { health } : {}) };
    writeFileSync(marker, '');
    const before = (await docker.getContainer(name).inspect()).State.StartedAt;
    const plan = await servicePlan(services, 'restart', 'web', deps);
    expect(plan.steps[0]!.describe().text).toMatch(new RegExp(`^POST /containers/${name}/restart\\?t=2, then wait`));
    const out = await executePlan(plan, { guard, audit });
    expect(out.result, out.summary.join('\n')).toBe('succeeded');
    const after = await docker.getContainer(name).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    expect(out.steps[1]!.output).toEqual([`web: running (running)`, 'PASS ok: exit 0 (1 attempt)']);

    rmSync(marker);
    const bad = await executePlan(await servicePlan(services, 'restart', 'web', deps), { guard, audit });
    expect(bad.result).toBe('failed');
    expect(bad.error).toBe('health check failed: ok (exit code 1, 1 attempt)');
    expect((await docker.getContainer(name).inspect()).State.StartedAt).not.toBe(after.State.StartedAt);

    await expect(servicePlan(services, 'reload', 'web', deps)).rejects.toThrow(
      /^service web is a container, which has no reload: restart it instead/,
    );
  });
});

describe.skipIf(unavailable('docker'))('compose services with the real docker-compose on the real engine', () => {
  // Debian's docker-compose (v1) against the sandbox engine: `up -d` by the test, then the driver's restart.
  let docker: Docker;
  let project: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const compose = { argv: ['docker-compose'], v1: true, missing: false };
  const containerOf = async (): Promise<Docker.ContainerInfo | undefined> =>
    (await docker.listContainers({ all: true })).find(
      (c) => c.Labels['com.docker.compose.project'] === project && c.Labels['com.docker.compose.service'] === 'web',
    );

  beforeAll(async () => {
    const svc = dockerService();
    docker = new Docker({ socketPath: svc.socketPath });
    project = uniqueName('opsdeckc').replace(/[^a-z0-9]/g, '');
    file = path.join(dir, 'compose.yaml');
    writeFileSync(
      file,
      [
        'version: "2.4"',
        'services:',
        '  web:',
        `    image: ${JSON.stringify(svc.image)}`,
        '    network_mode: none',
        `    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]`,
        '',
      ].join('\n'),
    );
    env = { ...process.env, DOCKER_HOST: `unix://${svc.socketPath}` };
    const { services } = parse({ services: [{ name: 'stack', compose: { project, file, services: ['web'] } }] });
    const up = await executePlan(await servicePlan(services, 'start', 'stack', { compose, env }), { guard, audit });
    expect(up.result, up.summary.join('\n')).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    const c = await containerOf().catch(() => undefined);
    if (c)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('restart runs `docker-compose -p P -f F restart web`: the container restarts, then its check', async () => {
    const marker = path.join(dir, 'compose-ok');
    writeFileSync(marker, '');
    const { services, health } = parse({
      services: [{ name: 'stack', compose: { project, file, services: ['web'] }, checks: ['ok'] }],
      checks: [{ name: 'ok', command: ['test', '-e', marker] }],
    });
    const deps = { compose, env, ...(health ? { health } : {}) };
    const before = await containerOf();
    expect(before?.State).toBe('running');
    const startedBefore = (await docker.getContainer(before!.Id).inspect()).State.StartedAt;
    const plan = await servicePlan(services, 'restart', 'stack', deps);
    expect(plan.steps[0]!.describe().argv).toEqual(['docker-compose', '-p', project, '-f', file, 'restart', 'web']);
    const out = await executePlan(plan, { guard, audit });
    expect(out.result, out.summary.join('\n')).toBe('succeeded');
    const after = await docker.getContainer(before!.Id).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(startedBefore);
    expect(out.steps[1]!.output).toContain('PASS ok: exit 0 (1 attempt)');
    await expect(servicePlan(services, 'reload', 'stack', deps)).rejects.toThrow(
      /compose project, which has no reload/,
    );
  }, 120_000);
});
