// `opsdeck logs` as a script meets it: the real built binary over files rotated by the real
// logrotate: what it prints (text and JSON), its exit codes, and --follow surviving a rotation.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRequirement } from '../../src/sandbox/requirements.js';
import { waitFor } from '../helpers/wait.js';

const bin = path.resolve('bin/opsdeck.js');
const LOGROTATE = checkRequirement('logrotate').path ?? 'logrotate (install Debian package logrotate)';
const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-cli-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = 3_600_000;

function opsdeck(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function logrotate(log: string, mode: string): void {
  const conf = path.join(dir, `${path.basename(log)}.conf`);
  writeFileSync(conf, `${log} {\n  rotate 5\n  compress\n  delaycompress\n  ${mode}\n}\n`);
  const r = spawnSync(LOGROTATE, ['-f', '-s', path.join(dir, `${path.basename(log)}.state`), conf], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`logrotate failed: ${r.error?.message ?? r.stderr}`);
}

const iso = (t: number): string => new Date(t).toISOString();

describe('opsdeck logs', () => {
  const log = path.join(dir, 'app.log');
  const now = Date.now();
  writeFileSync(log, `${iso(now - 5 * HOUR)} ERROR oldest boom\n${iso(now - 5 * HOUR + 1000)} INFO fine\n`);
  logrotate(log, 'create');
  writeFileSync(log, `${iso(now - 3 * HOUR)} ERROR middle boom\n`);
  logrotate(log, 'copytruncate');
  writeFileSync(log, `${iso(now - 60_000)} ERROR newest boom\n${iso(now - 30_000)} WARN slow\n`);
  const config = path.join(dir, 'opsdeck.yaml');
  writeFileSync(config, `logs:\n  sources:\n    - name: app\n      file: ${log}\n    - name: sys\n      journal: {}\n`);

  it('--grep searches the file and its rotations, newest first; exit 0', () => {
    const r = opsdeck(['-c', config, 'logs', 'app', '--grep', 'boom$']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[2]),
    ).toEqual(['newest', 'middle', 'oldest']);
  });

  it('--since and --json; a file path works as SOURCE too', () => {
    const r = opsdeck(['logs', log, '--grep', 'ERROR', '--since', '4h', '--json']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; text: string });
    expect(rows.map((x) => [path.basename(x.file), x.text.split(' ')[2]])).toEqual([
      ['app.log', 'newest'],
      ['app.log.1', 'middle'],
    ]);
  });

  it('no match exits 1 with nothing printed', () => {
    const r = opsdeck(['-c', config, 'logs', 'app', '--grep', 'no such text']);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', '']);
  });

  it('--errors-per-hour counts the last 24 h (text and JSON)', () => {
    const j = opsdeck(['-c', config, 'logs', 'app', '--errors-per-hour', '--json']);
    expect(j.code).toBe(0);
    const eph = JSON.parse(j.stdout) as { hours: { hour: string; errors: number }[]; untimed: number };
    expect(eph.hours).toHaveLength(24);
    const hourOf = (t: number): string => iso(Math.floor(t / HOUR) * HOUR);
    expect(eph.hours.filter((h) => h.errors > 0)).toEqual([
      { hour: hourOf(now - 5 * HOUR), errors: 1 },
      { hour: hourOf(now - 3 * HOUR), errors: 1 },
      { hour: hourOf(now - 60_000), errors: 1 },
    ]);
    const t = opsdeck(['-c', config, 'logs', 'app', '--errors-per-hour']);
    expect(t.code).toBe(0);
    expect(t.stdout.trim().split('\n')).toHaveLength(24);
    expect(t.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:00 {2}1 {2}#{40}$/m);
  });

  it.each([
    [['logs', 'nope'], /unknown log source 'nope'; configured: app, sys, or give a file path/],
    [['logs', 'app', '--grep', '(('], /--grep: not a valid regular expression/],
    [['logs', 'app', '--since', 'soon'], /--since: expected a duration such as 30m/],
    [['logs', 'sys', '--grep', 'x'], /log source sys is not a file: its history cannot be searched; use --follow/],
  ])('bad input %j: one line, exit 2', (args, message) => {
    const r = opsdeck(['-c', config, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing file exits 1 with one line', () => {
    const r = opsdeck(['logs', path.join(dir, 'missing.log')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file: .*missing\.log/);
  });

  it('--follow is tail -F: keeps following across a logrotate rotation; SIGTERM ends it with 0', async () => {
    const flog = path.join(dir, 'follow.log');
    writeFileSync(flog, 'before 1\nbefore 2\n');
    const child = spawn(process.execPath, [bin, 'logs', flog, '--follow', '--grep', '^(?:before|after)'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('before 2'), { what: 'the existing lines', lastSeen: () => out });
      appendFileSync(flog, 'after 1\nskipped\n');
      await waitFor(() => out.includes('after 1'), { lastSeen: () => out });
      logrotate(flog, 'create');
      appendFileSync(flog, 'after rotation\n');
      await waitFor(() => out.includes('after rotation'), {
        what: 'the line written after the rotation',
        lastSeen: () => out,
      });
      logrotate(flog, 'copytruncate');
      appendFileSync(flog, 'after truncation\n');
      await waitFor(() => out.includes('after truncation'), { lastSeen: () => out });
      expect(out.split('\n').filter(Boolean)).toEqual([
        'before 1',
        'before 2',
        'after 1',
        'after rotation',
        'after truncation',
      ]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
