// The Logs view with no logs.sources: it offers what the host has (the journal when the real
// journalctl answers, readable /var/log files, the services' units), and follows the one chosen.
// And the history of a file source rotated by the real logrotate: H searches it for the filter,
// newest file first, shows errors per hour over the last 24 h, and Esc closes (cancelling).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpsStore } from '../../src/state/store.js';
import { checkRequirement } from '../../src/sandbox/requirements.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});
const store = () => createOpsStore({ rules, origins: { host: 'configured' } });
const journalctl = checkRequirement('journalctl').path ?? 'journalctl (install Debian package systemd)';
const LOGROTATE = checkRequirement('logrotate').path ?? 'logrotate (install Debian package logrotate)';

describe('Logs view without configured sources', () => {
  it('offers the journal, /var/log files and the services units, and follows the one chosen', async () => {
    fx = actionFixture({
      services: [{ name: 'api', systemd: 'api.service' }],
      discover: (dir) => {
        const varLog = path.join(dir, 'varlog');
        mkdirSync(path.join(varLog, 'nginx'), { recursive: true });
        writeFileSync(path.join(varLog, 'syslog'), 'Dec  4 10:00:00 host cron[1]: started\n');
        writeFileSync(path.join(varLog, 'nginx', 'error.log'), '2026/12/04 10:00:00 [error] 1#1: upstream timed out\n');
        return { varLog, journalctl };
      },
    });
    const ui = renderConsole(store(), { view: 'logs', actions: fx.controller, columns: 140, rows: 30 });
    await ui.waitFor(
      (f) => plain(f).includes('on this host: journal, api (journal), syslog, nginx/error.log'),
      'the discovered sources offered',
    );
    await ui.command('logs.source');
    let f = plain(await ui.waitFor('Choose a log source'));
    expect(f).toMatch(/journal +journal\n/);
    expect(f).toMatch(/api \(journal\) +journal -u api\.service/);
    expect(f).toContain(`nginx/error.log  file ${path.join(fx.dir, 'varlog', 'nginx', 'error.log')}`);
    await ui.command('down', 'down', 'down', 'drill');
    f = plain(await ui.waitFor((x) => plain(x).includes('upstream timed out'), 'the chosen file followed'));
    expect(f).toContain('✗ 2026/12/04 10:00:00 [error] 1#1: upstream timed out');
  });
});

describe('Logs view history', () => {
  it('H searches the rotated and .gz files for the filter, newest first, errors per hour; Esc closes', async () => {
    fx = actionFixture({ logs: (dir) => ({ sources: [{ name: 'app', file: path.join(dir, 'app.log') }] }) });
    const log = path.join(fx.dir, 'app.log');
    const conf = path.join(fx.dir, 'rotate.conf');
    writeFileSync(conf, `${log} {\n  rotate 5\n  compress\n  delaycompress\n  create\n}\n`);
    const hour = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    for (const [i, ago] of [3, 2, 1].entries()) {
      writeFileSync(log, `${hour(ago)} ERROR boom generation ${i}\n${hour(ago)} INFO fine generation ${i}\n`);
      const r = spawnSync(LOGROTATE, ['-f', '-s', path.join(fx.dir, 'state'), conf], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    appendFileSync(log, `${hour(0)} ERROR boom live\n${hour(0)} INFO fine live\n`);
    const ui = renderConsole(store(), { view: 'logs', actions: fx.controller, columns: 120, rows: 30 });
    await ui.waitFor((x) => plain(x).includes('boom live'), 'the live file followed');
    await ui.command('logs.filter');
    await ui.waitFor('Filter log lines');
    await ui.press(...'boom');
    await ui.command('input.accept');
    await ui.command('logs.history');
    const f = plain(await ui.waitFor((x) => plain(x).includes('errors/hour'), 'the history searched'));
    expect(f).toMatch(/HISTORY app {2}matching boom · 4 lines in 4 files · done/);
    expect(f).toMatch(/errors\/hour, last 24 h .* 4 errors, most 1 in an hour/);
    const lines = f.split('\n').filter((l) => l.includes('boom ') && !l.includes('HISTORY'));
    expect(lines.map((l) => /boom (.*?)\s*$/.exec(l)![1])).toEqual([
      'live',
      'generation 2',
      'generation 1',
      'generation 0',
    ]);
    expect(lines[0]).toMatch(/^✗ /);
    await ui.command('back');
    await ui.waitFor((x) => plain(x).includes('FOLLOWING') && !plain(x).includes('HISTORY'), 'back to the tail');
  });
});
