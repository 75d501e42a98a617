import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/config/load.js';
import { configProblem } from '../helpers/config.js';
import { loadConfig, redactConfig } from '../../src/config/resolve.js';

const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const noDiscovery = { discover: false, env: {} };

describe('config discovery order', () => {
  const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') };
  it('prefers --config, then $OPSDECK_CONFIG, then ./opsdeck.yaml, then XDG, then defaults', () => {
    const cwd = path.join(dir, 'cwd');
    mkdirSync(cwd, { recursive: true });
    expect(findConfig(undefined, env, cwd)).toEqual({ path: null, via: 'defaults' });
    write('xdg/opsdeck/config.yaml', 'readOnly: true\n');
    expect(findConfig(undefined, env, cwd)).toEqual({
      path: path.join(dir, 'xdg/opsdeck/config.yaml'),
      via: 'XDG_CONFIG_HOME',
    });
    write('cwd/opsdeck.yaml', '{}\n');
    expect(findConfig(undefined, env, cwd).via).toBe('./opsdeck.yaml');
    expect(findConfig(undefined, { ...env, OPSDECK_CONFIG: 'env.yaml' }, cwd)).toEqual({
      path: path.join(cwd, 'env.yaml'),
      via: 'OPSDECK_CONFIG',
    });
    expect(findConfig('flag.yaml', { ...env, OPSDECK_CONFIG: 'env.yaml' }, cwd)).toEqual({
      path: path.join(cwd, 'flag.yaml'),
      via: '--config',
    });
  });
});

describe('defaults are the documented thresholds (SPEC §1)', () => {
  it.each([
    ['host.cpu', 70, 85],
    ['host.memory', 80, 90],
    ['host.disk', 70, 85],
    ['host.network', 70, 85],
    ['postgres.connections', 80, 90],
  ])('%s warns at %d and is critical at %d, with an interval and a sustain window', async (metric, warn, crit) => {
    const cfg = await loadConfig({ ...noDiscovery, configPath: write('empty.yaml', '') });
    const rule = cfg.rules[metric]!;
    expect([rule.warn, rule.crit, rule.direction]).toEqual([warn, crit, 'above']);
    expect(rule.interval).toBeGreaterThan(0);
    expect(rule.sustain).toBeGreaterThanOrEqual(0);
  });

  it('overrides merge over defaults and durations parse', async () => {
    const cfg = await loadConfig({
      ...noDiscovery,
      configPath: write('o.yaml', 'thresholds:\n  host.cpu: { warn: 50, sustain: 90s }\n'),
    });
    expect(cfg.rules['host.cpu']).toMatchObject({ warn: 50, crit: 85, sustain: 90_000 });
  });
});

describe('validation errors name the file, the key path and the line', () => {
  const bad = (text: string): string => configProblem(text);

  it('wrong type', () => {
    expect(bad('targets:\n  postgres:\n    port: "five"\n')).toMatch(
      /^\/etc\/opsdeck\.yaml:3: targets\.postgres\.port: expected number/,
    );
  });
  it('unknown key', () => {
    expect(bad('readOnly: false\ntargest: {}\n')).toMatch(
      /^\/etc\/opsdeck\.yaml:1: \(top level\): unknown key "targest"/,
    );
  });
  it('bad duration', () => {
    expect(bad('probeTimeout: soon\n')).toMatch(/:1: probeTimeout: expected a duration like/);
  });
  it('bad enum', () => {
    expect(bad('thresholds:\n  host.cpu:\n    direction: sideways\n')).toMatch(
      /:3: thresholds\.host\.cpu\.direction: expected one of "above", "below"/,
    );
  });
  it('invalid YAML reports line and column', () => {
    expect(bad('targets:\n  host: [\n')).toMatch(/^\/etc\/opsdeck\.yaml:\d+:\d+: invalid YAML/);
  });
  it('a password where an env var name belongs', () => {
    expect(bad('targets:\n  redis:\n    passwordEnv: "s3cr3t!"\n')).toMatch(
      /:3: targets\.redis\.passwordEnv: expected the NAME of an environment variable/,
    );
  });
  it('a service with two kinds', () => {
    expect(bad('services:\n  - name: db\n    systemd: pg.service\n    container: pg\n')).toMatch(
      /services\.0: a service needs exactly one of/,
    );
  });
  it('an unknown metric and warn above crit', async () => {
    await expect(
      loadConfig({ ...noDiscovery, configPath: write('m.yaml', 'thresholds:\n  host.cpuu: { warn: 1 }\n') }),
    ).rejects.toThrow(/thresholds\.host\.cpuu: unknown metric/);
    await expect(
      loadConfig({ ...noDiscovery, configPath: write('w.yaml', 'thresholds:\n  host.cpu: { warn: 95 }\n') }),
    ).rejects.toThrow(/warn \(95\) must be at most crit \(85\)/);
  });
  it('a missing file', async () => {
    await expect(loadConfig({ ...noDiscovery, configPath: path.join(dir, 'nope.yaml') })).rejects.toThrow(
      /nope\.yaml: cannot read the config file \(no such file\)/,
    );
  });
});

describe('targets', () => {
  it('the shipped example loads', async () => {
    const cfg = await loadConfig({
      discover: false,
      env: { OPSDECK_PG_PASSWORD: 'pw1', OPSDECK_REDIS_PASSWORD: 'pw2' },
      configPath: path.resolve('opsdeck.example.yaml'),
    });
    expect(cfg.postgres).toMatchObject({
      host: '127.0.0.1',
      port: 5432,
      user: 'opsdeck_monitor',
      database: 'itsm_db',
      password: 'pw1',
    });
    expect(cfg.redis).toMatchObject({ host: '127.0.0.1', port: 6379, password: 'pw2' });
    expect(cfg.docker?.socketPath).toBe('/var/run/docker.sock');
    expect(cfg.services.map((s) => s.name)).toEqual([
      'postgresql',
      'redis',
      'rabbitmq',
      'elasticsearch',
      'app',
      'worker',
    ]);
    expect(cfg.origins).toMatchObject({ postgres: 'configured', redis: 'configured', docker: 'configured' });
    expect(cfg.checks.map((c) => c.name)).toEqual(['api', 'worker-script', 'db-port', 'incidents']);
    expect(cfg.checks[0]).toMatchObject({ wait: 30_000, retry: { every: 5000, within: 120_000 }, timeout: 5000 });
    expect(cfg.defaultChecks).toEqual(['db-port', 'incidents']);
  });

  it('secrets are redacted and a missing secret variable is named', async () => {
    const file = write(
      's.yaml',
      'targets:\n' +
        '  postgres: { url: "postgres://app:hunter2@db.example:6432/itsm" }\n' +
        '  redis: { url: "redis://:tops3cret@cache:6380/2" }\n',
    );
    const cfg = await loadConfig({ discover: false, env: {}, configPath: file });
    expect(cfg.postgres).toMatchObject({
      host: 'db.example',
      port: 6432,
      user: 'app',
      database: 'itsm',
      password: 'hunter2',
    });
    expect(cfg.redis).toMatchObject({ host: 'cache', port: 6380, db: 2, password: 'tops3cret' });
    const shown = JSON.stringify(redactConfig(cfg));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('tops3cret');
    expect(shown).toContain('***');
    const missing = write('m2.yaml', 'targets:\n  postgres: { host: db, passwordEnv: NOT_SET_ANYWHERE }\n');
    await expect(loadConfig({ discover: false, env: {}, configPath: missing })).rejects.toThrow(
      /environment variable NOT_SET_ANYWHERE is not set/,
    );
  });

  it('honours PG*, REDIS_URL and DOCKER_HOST', async () => {
    const cfg = await loadConfig({
      discover: false,
      env: {
        PGHOST: '/run/pg',
        PGPORT: '5433',
        PGUSER: 'ops',
        PGDATABASE: 'itsm',
        PGPASSWORD: 'x',
        REDIS_URL: 'redis://r:6390',
        DOCKER_HOST: 'tcp://10.0.0.5:2376',
      },
      configPath: write('e.yaml', ''),
    });
    expect(cfg.postgres).toMatchObject({ host: '/run/pg', port: 5433, user: 'ops', database: 'itsm', password: 'x' });
    expect(cfg.redis).toMatchObject({ host: 'r', port: 6390 });
    expect(cfg.docker).toMatchObject({ host: '10.0.0.5', port: 2376 });
    expect(cfg.origins).toMatchObject({ postgres: 'environment', redis: 'environment', docker: 'environment' });
  });

  it('a target neither configured nor found is "not configured", not an error', async () => {
    const cfg = await loadConfig({ discover: false, env: {}, configPath: write('n.yaml', '') });
    expect(cfg.postgres).toBeNull();
    expect(cfg.origins).toEqual({
      host: 'configured',
      docker: 'not_configured',
      postgres: 'not_configured',
      redis: 'not_configured',
    });
  });

  it('discovers a Redis listening on 127.0.0.1:6379 when the config names none', async () => {
    // A real listener on the conventional port, if it is free; otherwise whatever already listens there.
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => {
      server.once('error', () => resolve());
      server.listen(6379, '127.0.0.1', () => resolve());
    });
    try {
      const cfg = await loadConfig({
        discover: true,
        env: {},
        configPath: write('d.yaml', 'targets:\n  postgres: { enabled: false }\n  docker: { enabled: false }\n'),
      });
      expect(cfg.origins.redis).toBe('discovered');
      expect(cfg.redis).toMatchObject({ host: '127.0.0.1', port: 6379 });
      expect(cfg.origins.postgres).toBe('disabled');
    } finally {
      server.close();
    }
  });
});

describe('threshold overrides change only the keys given', () => {
  it('keeps the default direction, sustain and enabled switch', async () => {
    const file = write(
      'partial.yaml',
      'thresholds:\n' +
        '  host.cpu: { warn: 50 }\n' +
        '  postgres.cacheHitRatio: { warn: 50, crit: 40 }\n' +
        '  redis.hitRatio: { warn: 70 }\n',
    );
    const cfg = await loadConfig({ ...noDiscovery, configPath: file });
    expect(cfg.rules['host.cpu']).toMatchObject({ warn: 50, crit: 85, sustain: 300_000, direction: 'above' });
    expect(cfg.rules['postgres.cacheHitRatio']).toMatchObject({ warn: 50, crit: 40, direction: 'below' });
    expect(cfg.rules['redis.hitRatio']).toMatchObject({ warn: 70, enabled: false });
  });
});
