import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStatus, type StatusReport } from '../../src/cli/status.js';
import { loadConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { postgresService, redisService, unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { errResult, fakeProbe, m, okResult } from '../state/fakes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function config(input: ConfigInput): Promise<OpsdeckConfig> {
  const file = path.join(dir, `c${n++}.yaml`);
  writeFileSync(file, JSON.stringify(input));
  return loadConfig({ configPath: file, env: { HOME: dir }, discover: false });
}

/** Captures what runStatus writes. */
function sink(isTTY = false) {
  const out = { text: '', isTTY, write: (s: string) => (out.text += s) };
  return out;
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[');
const base: ConfigInput = {
  targets: {
    postgres: { url: 'postgres://u@127.0.0.1:1/db' },
    redis: { url: 'redis://127.0.0.1:1' },
    docker: { enabled: false },
  },
};

const healthy = () => [
  fakeProbe('host', 2000, async () => okResult([m('host.cpu', 12.5), m('host.memory', 40), m('host.disk', 55, '/')])),
  fakeProbe('postgres', 2000, async () =>
    okResult([m('postgres.reachable', 1, '', 'count'), m('postgres.connections', 10)]),
  ),
  fakeProbe('redis', 2000, async () => okResult([m('redis.reachable', 1, '', 'count'), m('redis.clients', 1)])),
];

async function json(
  cfg: OpsdeckConfig,
  probes: ReturnType<typeof healthy>,
): Promise<{ code: number; report: StatusReport }> {
  const out = sink();
  const code = await runStatus({ config: cfg, json: true, stdout: out, probes, env: {}, hostname: 'box' });
  return { code, report: JSON.parse(out.text) as StatusReport };
}

describe('opsdeck status with fake probes', () => {
  it('all OK: exit 0, a plain table without ANSI when stdout is not a TTY, every probe closed', async () => {
    const probes = healthy();
    const out = sink();
    const code = await runStatus({
      config: await config(base),
      json: false,
      stdout: out,
      probes,
      env: {},
      hostname: 'box',
    });
    expect(code).toBe(0);
    expect(out.text).not.toMatch(ANSI);
    expect(out.text).toMatch(/worst: ✓ OK \(exit 0\)/);
    expect(out.text).toMatch(/host\s+cpu\s+12\.5%\s+≥70% ≥85%\s+✓ OK/);
    expect(out.text).toMatch(/host\s+disk \/\s+55\.0%/);
    expect(out.text).toMatch(/docker\s+disabled\s+not watched/);
    expect(out.text).toContain('sustain windows not applied');
    expect(probes.every((p) => p.closed)).toBe(true);
  });

  it('judges limits only (sustain ignored): WARNING exits 1, CRITICAL exits 2', async () => {
    const cfg = await config(base); // host.cpu has a 5 min sustain by default
    const warn = healthy();
    warn[0] = fakeProbe('host', 2000, async () => okResult([m('host.cpu', 70)]));
    expect((await json(cfg, warn)).code).toBe(1);
    const crit = healthy();
    crit[1] = fakeProbe('postgres', 2000, async () => okResult([m('postgres.connections', 90)]));
    const { code, report } = await json(cfg, crit);
    expect(code).toBe(2);
    expect(report.worst).toBe('CRITICAL');
    expect(report.checks.find((c) => c.metric === 'postgres.connections')).toMatchObject({
      level: 'CRITICAL',
      value: 90,
      warn: 80,
      crit: 90,
      direction: 'above',
      unit: '%',
    });
  });

  it('a failing target: metrics UNKNOWN, reachable CRITICAL; a protocol error alone is UNKNOWN (exit 3)', async () => {
    const cfg = await config(base);
    const down = healthy();
    down[2] = fakeProbe('redis', 2000, async () => errResult('unreachable'));
    const { code, report } = await json(cfg, down);
    expect(code).toBe(2);
    expect(report.targets.find((t) => t.id === 'redis')).toMatchObject({
      ok: false,
      origin: 'configured',
      error: { kind: 'unreachable', message: 'fake unreachable' },
    });
    const redis = report.checks.filter((c) => c.target === 'redis');
    expect(redis.find((c) => c.metric === 'redis.reachable')).toMatchObject({ level: 'CRITICAL', value: 0 });
    expect(
      redis.filter((c) => c.metric !== 'redis.reachable').every((c) => c.level === 'UNKNOWN' && c.value === null),
    ).toBe(true);

    const odd = healthy();
    odd[2] = fakeProbe('redis', 2000, async () => errResult('protocol'));
    expect((await json(cfg, odd)).code).toBe(3);
  });

  it('JSON has the documented shape; targets not configured are listed but not counted', async () => {
    const cfg = await config({ targets: { docker: { enabled: false } } });
    const { code, report } = await json(cfg, [healthy()[0]!]);
    expect(code).toBe(0);
    expect(Object.keys(report).sort()).toEqual([
      'at',
      'checks',
      'exitCode',
      'host',
      'sustainApplied',
      'targets',
      'worst',
    ]);
    expect(report).toMatchObject({ host: 'box', worst: 'OK', exitCode: 0, sustainApplied: false });
    expect(report.targets.map((t) => [t.id, t.origin, t.ok])).toEqual([
      ['host', 'configured', true],
      ['docker', 'disabled', false],
      ['postgres', 'not_configured', false],
      ['redis', 'not_configured', false],
    ]);
    expect(report.targets[2]!.error?.kind).toBe('not_configured');
    expect(report.checks.every((c) => c.target === 'host')).toBe(true);
    expect(Object.keys(report.checks[0]!).sort()).toEqual([
      'crit',
      'direction',
      'instance',
      'level',
      'metric',
      'since',
      'target',
      'unit',
      'value',
      'warn',
    ]);
    expect(new Date(report.at).toISOString()).toBe(report.at);
  });

  it('colour only on a TTY and never with NO_COLOR; problems are listed first', async () => {
    const cfg = await config(base);
    const probes = () => [fakeProbe('host', 2000, async () => okResult([m('host.cpu', 1), m('host.memory', 95)]))];
    const tty = sink(true);
    await runStatus({ config: cfg, json: false, stdout: tty, probes: probes(), env: {} });
    expect(tty.text).toMatch(ANSI);
    const noColor = sink(true);
    await runStatus({ config: cfg, json: false, stdout: noColor, probes: probes(), env: { NO_COLOR: '1' } });
    expect(noColor.text).not.toMatch(ANSI);
    const rows = noColor.text.split('\n').filter((l) => /^host\s+(cpu|memory)/.test(l));
    expect(rows[0]).toMatch(/memory.*✗ CRIT/);
    expect(rows[1]).toMatch(/cpu.*✓ OK/);
  });

  it('a probe that ignores its abort still gives a timeout within the probe timeout plus a little', async () => {
    const cfg = await config({ ...base, probeTimeout: '300ms' });
    const deaf = fakeProbe('postgres', 2000, () => new Promise(() => {}));
    const t0 = Date.now();
    const { code, report } = await json(cfg, [healthy()[0]!, deaf]);
    expect(Date.now() - t0).toBeLessThan(300 + 1000);
    expect(code).toBe(2);
    expect(report.targets.find((t) => t.id === 'postgres')?.error?.kind).toBe('timeout');
    expect(deaf.closed).toBe(true);
  });

  it('a probe whose close() hangs does not hold the command up', async () => {
    const cfg = await config(base);
    const stuck = fakeProbe('host', 2000, async () => okResult([m('host.cpu', 1)]));
    stuck.close = () => new Promise<void>(() => {}); // never settles
    const t0 = Date.now();
    await json(cfg, [stuck]);
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});

describe('opsdeck status against real services', () => {
  it('a redis that accepts, never answers: reports timeout within timeout + 1 s, leaves no socket open', async () => {
    const held = new Set<net.Socket>();
    const server = net.createServer((s) => {
      held.add(s);
      s.resume(); // read (and drop) what the client sends, so its FIN is seen
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const cfg = await config({
        probeTimeout: '1s',
        targets: { redis: { url: `redis://127.0.0.1:${port}` }, docker: { enabled: false } },
      });
      const out = sink();
      const t0 = Date.now();
      const code = await runStatus({ config: cfg, json: true, stdout: out, env: {} });
      expect(Date.now() - t0).toBeLessThan(1000 + 1000);
      const report = JSON.parse(out.text) as StatusReport;
      expect(report.targets.find((t) => t.id === 'redis')?.error?.kind).toBe('timeout');
      expect(report.checks.find((c) => c.metric === 'redis.reachable')?.level).toBe('CRITICAL');
      expect(code).toBe(2);
      // The client side closed its socket: nothing of ours keeps the process alive.
      await waitFor(() => held.size === 0, {
        timeoutMs: 2000,
        intervalMs: 20,
        what: 'the client to close its socket',
        lastSeen: () => `${held.size} open`,
      });
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const skip = unavailable('postgres') || unavailable('redis');
  describe.skipIf(skip)('sandbox PostgreSQL and Redis', () => {
    // Host limits out of reach (explicit direction/sustain: a partial override resets them to
    // the schema defaults, see the report to the lead): the machine running the tests is not under test here.
    const hostOff = Object.fromEntries(
      ['host.cpu', 'host.memory', 'host.swap', 'host.disk', 'host.network'].map((k) => [k, { warn: 1000, crit: 1000 }]),
    );
    const targets = () => ({
      postgres: { url: postgresService().url },
      redis: { url: redisService().url },
      docker: { enabled: false },
    });

    it('exit 0 when everything is within limits', async () => {
      // A fresh server has read few blocks, so its cache hit ratio says little; judge it elsewhere.
      const cfg = await config({
        targets: targets(),
        thresholds: { ...hostOff, 'postgres.cacheHitRatio': { warn: 0, crit: 0, direction: 'below' } },
      });
      const out = sink();
      const code = await runStatus({ config: cfg, json: true, stdout: out, env: {} });
      const report = JSON.parse(out.text) as StatusReport;
      expect(report.checks.filter((c) => c.level !== 'OK')).toEqual([]);
      expect(code).toBe(0);
      expect(report.targets.filter((t) => t.ok).map((t) => t.id)).toEqual(['host', 'postgres', 'redis']);
      expect(report.checks.find((c) => c.metric === 'postgres.reachable')?.value).toBe(1);
    });

    it('exit 2 when a threshold is crossed (tiny connection limits)', async () => {
      const cfg = await config({
        targets: targets(),
        thresholds: {
          ...hostOff,
          'postgres.cacheHitRatio': { warn: 0, crit: 0, direction: 'below' },
          'postgres.connections': { warn: 0.001, crit: 0.01 },
        },
      });
      const out = sink();
      const code = await runStatus({ config: cfg, json: false, stdout: out, env: {} });
      expect(code).toBe(2);
      expect(out.text).toMatch(/postgres\s+connections\s+\S+%\s+≥0\.001% ≥0\.01%\s+✗ CRIT/);
    });
  });
});
