// Services defined by argv commands — a real Redis started and stopped through `redis-server` and
// `redis-cli` — run in the documented order, with a failure in the middle stopping the sequence.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import type { PlanRun } from '../../src/plan/plan.js';
import { runArgv } from '../../src/plan/run-argv.js';
import { detectCompose, serviceDriver } from '../../src/actions/service-drivers.js';
import { allServicesPlan, servicePlan, serviceStatuses, startOrder } from '../../src/actions/services.js';
import { configSchema, type ConfigInput, type ServiceConfig } from '../../src/config/schema.js';
import { freePort } from '../../src/sandbox/ports.js';

let dir: string;
let port: number;
const audit = new MemoryAudit();
const guard = new ActionGuard({ readOnly: false, audit, timer: false });

function services(list: NonNullable<ConfigInput['services']>): ServiceConfig[] {
  return configSchema.parse({ services: list }).services;
}

/** A service whose "process" is a marker file: start creates it, stop removes it, status tests it. */
function markerService(name: string, group: 'queue' | 'search' | 'application', failStart = false) {
  const m = path.join(dir, `${name}.up`);
  return {
    name,
    group,
    start: failStart ? ['sh', '-c', `echo "${name}: cannot bind :8080" >&2; exit 1`] : ['touch', m],
    stop: ['rm', '-f', m],
    status: ['test', '-e', m],
    timeout: '10s',
  };
}

let redisConfig: NonNullable<ConfigInput['services']>[number];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-services-'));
  port = await freePort();
  const p = String(port);
  redisConfig = {
    name: 'cache',
    group: 'database',
    // --daemonize: the start command returns before Redis answers, so the step must wait for status.
    start: [
      'redis-server',
      '--port',
      p,
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'yes',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--pidfile',
      path.join(dir, 'redis.pid'),
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    stop: ['redis-cli', '-p', p, 'shutdown', 'nosave'],
    status: ['redis-cli', '-p', p, 'ping'],
    timeout: '20s',
  };
});

afterAll(async () => {
  // Daemonized Redis is outside our process tree: make sure it is gone.
  await runArgv(['redis-cli', '-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
  const pidFile = path.join(dir, 'redis.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const redisUp = async (): Promise<boolean> =>
  (await runArgv(['redis-cli', '-p', String(port), 'ping'])).stdout.trim() === 'PONG';

describe('start and stop order', () => {
  it('orders by startOrder, then database, queue, search, application, other', () => {
    const svcs = services([
      { name: 'app', group: 'application', start: ['true'] },
      { name: 'misc', start: ['true'] },
      { name: 'es', group: 'search', start: ['true'] },
      { name: 'pg', group: 'database', start: ['true'] },
      { name: 'mq', group: 'queue', start: ['true'] },
      { name: 'redis', group: 'database', start: ['true'] },
    ]);
    expect(startOrder(svcs).map((s) => s.name)).toEqual(['pg', 'redis', 'mq', 'es', 'app', 'misc']);
    expect(startOrder(svcs, ['redis', 'pg']).map((s) => s.name)).toEqual(['redis', 'pg', 'mq', 'es', 'app', 'misc']);
    expect(() => startOrder(svcs, ['nginx'])).toThrow(/startOrder names "nginx", which is not a configured service/);
  });
});

describe('argv services against a real Redis', () => {
  it('"start all" stops at a failing step, skips the rest, and the summary says what is running now', async () => {
    const svcs = services([
      markerService('app', 'application', true),
      markerService('search', 'search'),
      redisConfig,
      markerService('queue', 'queue'),
    ]);
    const plan = await allServicesPlan(svcs, 'start', undefined, { pollMs: 100 });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'start-cache',
      'start-queue',
      'start-search',
      'start-app',
      'health-check',
    ]);
    expect(plan.steps[0]!.describe().argv?.[0]).toBe('redis-server');

    const seen: string[] = [];
    const out = await executePlan(plan, {
      guard,
      audit,
      onUpdate: (r: PlanRun) => seen.push(r.steps.map((s) => s.status[0]).join('')),
    });
    expect(out.result).toBe('failed');
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'failed', 'skipped']);
    // One at a time, in order: never two steps running, never a later step before an earlier one.
    for (const s of seen) expect(s).toMatch(/^d*[rf]?[ps]*$/);
    expect(out.steps[3]!.error).toMatch(/exited with code 1: app: cannot bind :8080/);
    expect(out.summary).toEqual([
      'Failed at "start app": sh -c \'echo "app: cannot bind :8080" >&2; exit 1\'' +
        ' exited with code 1: app: cannot bind :8080',
      'Done: start cache; start queue; start search.',
      'Not done: health check.',
      'Now: running cache, queue, search; stopped app.',
    ]);
    expect(await redisUp()).toBe(true);
  });

  it('"start all" again skips what is already up; "stop all" runs in reverse and checks all are down', async () => {
    const svcs = services([
      markerService('app', 'application'),
      markerService('search', 'search'),
      redisConfig,
      markerService('queue', 'queue'),
    ]);
    const start = await executePlan(await allServicesPlan(svcs, 'start', undefined, { pollMs: 100 }), { guard, audit });
    expect(start.result).toBe('succeeded');
    expect(start.steps.map((s) => s.note ?? '')).toEqual([
      'was already running',
      'was already running',
      'was already running',
      '',
      '',
    ]);

    const stopPlan = await allServicesPlan(svcs, 'stop', undefined, { pollMs: 100 });
    expect(stopPlan.steps.map((s) => s.id)).toEqual([
      'stop-app',
      'stop-search',
      'stop-queue',
      'stop-cache',
      'status-check',
    ]);
    const stop = await executePlan(stopPlan, { guard, audit });
    expect(stop.result).toBe('succeeded');
    expect(stop.steps.at(-1)!.output).toContain('cache: stopped (status exit code 1)');
    expect(await redisUp()).toBe(false);
    expect((await serviceStatuses(svcs)).map((s) => `${s.name}:${s.state}`)).toEqual([
      'cache:stopped',
      'queue:stopped',
      'search:stopped',
      'app:stopped',
    ]);
  });

  it('starts and stops a single service, with its current state as the blast radius', async () => {
    const svcs = services([redisConfig]);
    const start = await servicePlan(svcs, 'start', 'cache', { pollMs: 100 });
    expect(start.danger).toBe('safe');
    expect(await start.blastRadius!(AbortSignal.timeout(5000))).toEqual([
      expect.stringMatching(/^cache \(database\) is stopped/),
    ]);
    expect((await executePlan(start, { guard, audit })).result).toBe('succeeded');
    expect(await redisUp()).toBe(true);

    const stop = await servicePlan(svcs, 'stop', 'cache', {
      pollMs: 100,
      clientsOf: async () => ['3 clients: 3× worker (127.0.0.1)'],
    });
    expect(stop.danger).toBe('confirm');
    expect(await stop.blastRadius!(AbortSignal.timeout(5000))).toEqual([
      expect.stringMatching(/^cache \(database\) is running/),
      'cache: 3 clients: 3× worker (127.0.0.1)',
    ]);
    expect((await executePlan(stop, { guard, audit })).result).toBe('succeeded');
    expect(await redisUp()).toBe(false);
  });

  it('fails a start whose service never comes up within its timeout', async () => {
    const svcs = services([{ name: 'ghost', start: ['true'], stop: ['true'], status: ['false'], timeout: '1s' }]);
    const out = await executePlan(await servicePlan(svcs, 'start', 'ghost', { pollMs: 100 }), { guard, audit });
    expect(out.result).toBe('failed');
    expect(out.errorKind).toBe('timeout');
    expect(out.summary.at(-1)).toBe('Now: stopped ghost.');
  });
});

describe('a hung command', () => {
  it('is killed with everything it started when the service timeout runs out', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const svcs = services([
      { name: 'hang', start: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], stop: ['true'], timeout: '1s' },
    ]);
    const out = await executePlan(await servicePlan(svcs, 'start', 'hang'), { guard, audit });
    expect(out.errorKind).toBe('timeout');
    expect(out.error).toMatch(/did not finish within 1 s and was killed/);
    const child = Number(readFileSync(pidFile, 'utf8'));
    // Gone, or a zombie waiting for init to reap it (dead either way).
    const state = existsSync(`/proc/${child}/stat`)
      ? readFileSync(`/proc/${child}/stat`, 'utf8').replace(/^.*\) /s, '')[0]
      : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });
});

describe('arguments are never given to a shell', () => {
  const marker = `/tmp/opsdeck-pwned-${process.pid}`;
  const unit = `x; touch ${marker}`;

  it('passes a unit name with shell metacharacters to systemctl as one argument', async () => {
    // A stand-in systemctl that records its argv, one argument per line.
    const fake = path.join(dir, 'systemctl');
    const record = path.join(dir, 'argv.txt');
    const script = [
      '#!/bin/sh',
      `for a in "$@"; do printf '%s\\n' "$a"; done >> '${record}'`,
      `echo ---- >> '${record}'`,
      `[ "$1" = is-active ] && [ -e '${record}.up' ] && echo active && exit 0`,
      `[ "$1" = start ] && touch '${record}.up'`,
      '[ "$1" = is-active ] && echo inactive && exit 3',
      'exit 0',
      '',
    ].join('\n');
    writeFileSync(fake, script);
    chmodSync(fake, 0o755);
    const svcs = services([{ name: 'weird', systemd: unit, timeout: '5s' }]);
    const plan = await servicePlan(svcs, 'start', 'weird', { bins: { systemctl: fake }, pollMs: 100 });
    expect(plan.steps[0]!.describe().argv).toEqual([fake, 'start', unit]);
    const out = await executePlan(plan, { guard, audit });
    expect(out.result).toBe('succeeded');
    expect(readFileSync(record, 'utf8')).toBe(
      `is-active\n${unit}\n----\nstart\n${unit}\n----\nis-active\n${unit}\n----\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('passes it through the real systemctl too (which rejects it), and nothing runs', async () => {
    const svcs = services([{ name: 'weird', systemd: unit }]);
    const out = await executePlan(await servicePlan(svcs, 'start', 'weird'), { guard, audit });
    expect(out.result).toBe('failed');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('compose', () => {
  it('falls back to docker-compose when the docker compose plugin is missing', async () => {
    const bin = path.join(dir, 'bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho "docker: unknown command: docker compose" >&2\nexit 1\n');
    writeFileSync(path.join(bin, 'docker-compose'), '#!/bin/sh\necho "docker-compose version 1.29.2"\n');
    chmodSync(path.join(bin, 'docker'), 0o755);
    chmodSync(path.join(bin, 'docker-compose'), 0o755);
    const bins = { docker: path.join(bin, 'docker'), dockerCompose: path.join(bin, 'docker-compose') };
    const compose = await detectCompose({ bins });
    expect(compose).toEqual({ argv: [bins.dockerCompose], v1: true, missing: false });
    const [svc] = services([
      {
        name: 'app',
        group: 'application',
        compose: { project: 'itsm', file: '/opt/itsm/docker-compose.yml', services: ['backend'] },
      },
    ]);
    const d = serviceDriver(svc!, { compose });
    expect(d.describe('start').argv).toEqual([
      bins.dockerCompose,
      '-p',
      'itsm',
      '-f',
      '/opt/itsm/docker-compose.yml',
      'up',
      '-d',
      'backend',
    ]);
    expect(d.describe('stop').argv).toEqual([
      bins.dockerCompose,
      '-p',
      'itsm',
      '-f',
      '/opt/itsm/docker-compose.yml',
      'stop',
      'backend',
    ]);
    expect(d.describeStatus()?.argv).toEqual([
      bins.dockerCompose,
      '-p',
      'itsm',
      '-f',
      '/opt/itsm/docker-compose.yml',
      'ps',
      '--services',
      '--filter',
      'status=running',
    ]);

    const none = await detectCompose({
      bins: { docker: path.join(bin, 'docker'), dockerCompose: path.join(bin, 'nope') },
    });
    expect(none.missing).toBe(true);
    const out = await executePlan(await servicePlan([svc!], 'start', 'app', { compose: none }), { guard, audit });
    expect(out.error).toMatch(/neither `docker compose` nor `docker-compose` is installed/);
  });
});
