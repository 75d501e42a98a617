// End to end: the real built binary in a real terminal (tmux) against the sandbox services.
// Keys are sent by name, the screen is read with capture-pane, and every wait polls with a
// deadline. `npm test` builds dist/ first; this file builds it only when it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerEngine, type ContainerHandle } from '../../src/docker/index.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { dockerService, postgresService, redisService, uniqueName, unavailable } from '../helpers/services.js';
import { holdsFor } from '../helpers/wait.js';
import { boundKey, tmuxKey } from '../ui/keys.js';
import { Tmux } from './tmux.js';

const root = path.resolve(import.meta.dirname, '../..');
const missing =
  unavailable('postgres') ||
  unavailable('redis') ||
  unavailable('docker') ||
  (hasTmux() ? false : 'tmux is not installed');

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(missing)('opsdeck console in a real terminal', () => {
  const sessions: Tmux[] = [];
  let dir: string;
  let config: string;
  let pgVersion: string;
  let redisVersion: string;
  const containerName = uniqueName('e2e-console');
  let container: ContainerHandle | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist/main.js')))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    const pgs = postgresService();
    const rs = redisService();
    const ds = dockerService();
    const client = new pg.Client({ connectionString: pgs.url });
    await client.connect();
    pgVersion = String(
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
    ).split(' ')[0]!;
    await client.end();
    const redis = new Redis(rs.url, { lazyConnect: true });
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))![1]!;
    redis.disconnect();
    container = await runSandboxContainer(new DockerEngine({ socketPath: ds.socketPath }), ds.image, {
      name: containerName,
      cmd: ['sleep', '3600'],
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-'));
    config = path.join(dir, 'opsdeck.yaml');
    writeFileSync(
      config,
      [
        'discover: false',
        'targets:',
        `  postgres: { host: ${pgs.host}, port: ${pgs.port}, user: ${pgs.user}, database: ${pgs.database} }`,
        `  redis: { url: "${rs.url}" }`,
        `  docker: { socket: ${JSON.stringify(ds.socketPath)}, statsInterval: 5s }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    for (const s of sessions) s.kill();
    await container?.remove({ force: true }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh terminal with a marker line printed before opsdeck starts. */
  function terminal(columns: number, rows: number): Tmux {
    const t = Tmux.start({ columns, rows, cwd: root, env: { XDG_STATE_HOME: path.join(dir, 'state') } });
    sessions.push(t);
    t.run('echo PRE-RUN-MARKER');
    return t;
  }

  const launch = (t: Tmux, node = 'node') => t.run(`${node} bin/opsdeck.js --config ${config}; echo "EXIT=$?"`);

  /** The overview with real data in all four panels. */
  const overviewReady = (s: string) =>
    s.includes(pgVersion) &&
    s.includes(redisVersion) &&
    /Docker\s+\S+ (OK|WARNING|CRITICAL)\s+engine/.test(s) &&
    /CPU\s+\d/.test(s);

  it('at 80×24: shows real values, switches views, redraws on resize, restores the terminal on q', async () => {
    const t = terminal(80, 24);
    await t.waitFor('PRE-RUN-MARKER');
    launch(t);
    const overview = await t.waitFor(overviewReady, 20_000, 'all four panels with real data');
    expect(t.alternateOn()).toBe(true);
    expect(overview).toContain('[1 Overview]');
    const lines = overview.split('\n');
    expect(lines[22]).toContain('q quit'); // the footer on the last line but one
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);

    t.command('view.containers');
    await t.waitFor(containerName, 15_000, 'the sandbox container in the Containers view');
    t.command('view.postgres');
    const pgView = await t.waitFor('Longest queries');
    expect(pgView).toContain(`PostgreSQL ${pgVersion}`);
    t.command('view.next');
    await t.waitFor((s) => s.includes('[5 Redis]') && s.includes('Keyspace') && s.includes(`Redis ${redisVersion}`));
    t.command('palette');
    await t.waitFor(': ▏');
    t.send('t', 'i', 'm', 'e', 'l');
    t.command('input.accept');
    await t.waitFor('[6 Timeline]');

    t.resize(120, 36);
    const wide = await t.waitFor(
      (s) => s.includes('3 Containers') && s.split('\n')[34]?.includes('q quit') === true,
      10_000,
      'redraw at 120×36',
    );
    expect(wide.split('\n')[0]!.trimEnd().length).toBeGreaterThan(100); // the clock moved to the right edge
    t.resize(60, 12);
    await t.waitFor('terminal too small (need 60×15, have 60×12)');
    t.resize(80, 24);
    await t.waitFor((s) => s.includes('[6 Timeline]') && !s.includes('too small'));

    t.command('quit');
    const after = await t.waitFor('EXIT=0');
    expect(t.alternateOn()).toBe(false);
    expect(after).toContain('PRE-RUN-MARKER');
    expect(after).not.toContain('Timeline');
    expect(after).toMatch(/EXIT=0\n\$/); // the shell prompt is back
  });

  it('at 160×48: uses the room, help overlay, no full-screen clear while idle, Ctrl-C restores', async () => {
    const t = terminal(160, 48);
    await t.waitFor('PRE-RUN-MARKER');
    launch(t);
    const s = await t.waitFor(overviewReady, 20_000, 'all four panels with real data');
    expect(s).toContain('3 Containers');
    expect(s.split('\n')[46]).toContain('q quit');
    expect(s).toMatch(/Alerts · /);

    // Watch the raw bytes for a few seconds of idle: lines change, the screen is never cleared.
    const raw = path.join(dir, 'raw-160.bin');
    t.record(raw);
    const recorded = () => (existsSync(raw) ? readFileSync(raw, 'latin1') : '');
    // Three ticks of the one-second clock: the screen is never cleared meanwhile.
    await holdsFor(3000, () => !recorded().includes('\x1b[2J'), 'no full-screen clear while idle');
    t.record(null);
    const bytes = recorded();
    expect(bytes).not.toContain('\x1b[2J');
    expect(bytes.length).toBeGreaterThan(0); // the clock ticked
    console.log(`[e2e] idle output at 160×48: ${(bytes.length / 3 / 1024).toFixed(1)} KiB/s`);

    t.command('help');
    await t.waitFor('Everywhere');
    t.command('help.close');
    await t.waitFor((x) => !x.includes('Everywhere'));
    t.send(tmuxKey(boundKey('interrupt', 'ctrl-c', 'global')));
    await t.waitFor('EXIT=0');
    expect(t.alternateOn()).toBe(false);
  });

  it('restores the terminal on SIGTERM and SIGHUP, with the conventional exit codes', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const t = terminal(80, 24);
      await t.waitFor('PRE-RUN-MARKER');
      launch(t);
      await t.waitFor('[1 Overview]');
      const pid = Number(
        execFileSync('pgrep', ['-P', String(t.panePid()), '-f', 'opsdeck'], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      );
      process.kill(pid, signal);
      const after = await t.waitFor(`EXIT=${code}`);
      expect(t.alternateOn()).toBe(false);
      expect(after).toContain('PRE-RUN-MARKER');
      expect(after).not.toContain('Overview');
    }
  });

  it('restores the terminal on an unexpected error and prints the crash log path', async () => {
    const boom = path.join(dir, 'boom.mjs');
    writeFileSync(boom, "setTimeout(() => { throw new Error('e2e boom'); }, 1500);\n");
    const t = terminal(80, 24);
    await t.waitFor('PRE-RUN-MARKER');
    launch(t, `node --import ${boom}`);
    await t.waitFor('[1 Overview]');
    const after = await t.waitFor('EXIT=1');
    expect(t.alternateOn()).toBe(false);
    expect(after).toContain('opsdeck: unexpected error: e2e boom');
    const file = /details were written to (\S+)/.exec(after.replace(/\n(?!opsdeck|EXIT|\$)/g, ''))?.[1];
    expect(file).toBeDefined();
    expect(file!.startsWith(path.join(dir, 'state', 'opsdeck'))).toBe(true);
    const logs = readdirSync(path.join(dir, 'state', 'opsdeck')).filter((f) => f.startsWith('crash-'));
    expect(logs.length).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'state', 'opsdeck', logs[0]!), 'utf8')).toContain('e2e boom');
  });
});
