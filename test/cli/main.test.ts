// The CLI as a user meets it: the real built binary, its exit codes and its one-line errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

const bin = path.resolve('bin/opsdeck.js');
const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opsdeck(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('opsdeck CLI', () => {
  it('--version prints the package version', () => {
    const r = opsdeck(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the commands and global flags', () => {
    const r = opsdeck(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['status', 'demo', 'config', '--config', '--read-only', '--version'])
      expect(r.stdout).toContain(word);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['status', '--jsn'], /unknown option '--jsn'.*Did you mean --json\?/s],
    [['stauts'], /unknown command 'stauts'/],
    [['demo', '--keep-seconds', 'soon'], /expected a positive whole number, got "soon"/],
    [['--config'], /argument missing/],
  ])('bad input %j: one clear line and exit code 2', (args, message) => {
    const r = opsdeck(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('refuses to start the console when stdout is not a TTY and points to `opsdeck status`', () => {
    const r = opsdeck([], { OPSDECK_CONFIG: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs a terminal.*opsdeck status/);
  });

  it('a broken config file: file, line, key path, what was expected; exit 2', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'targets:\n  redis:\n    url: 6379\n');
    const r = opsdeck(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3: targets.redis.url: expected string`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('`opsdeck config` shows the effective config with secrets redacted, and the example file loads', () => {
    const r = opsdeck(['config', '--config', path.resolve('opsdeck.example.yaml')], {
      OPSDECK_PG_PASSWORD: 'pg-s3cret',
      OPSDECK_REDIS_PASSWORD: 'redis-s3cret',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as {
      rules: Record<string, { warn: number; crit: number }>;
      postgres: { password: string };
    };
    expect(shown.rules['host.cpu']).toMatchObject({ warn: 70, crit: 85 });
    expect(shown.postgres.password).toBe('***');
    expect(r.stdout).not.toContain('s3cret');
  });

  it('--read-only reaches the effective config', () => {
    writeFileSync(path.join(dir, 'empty.yaml'), '');
    const r = opsdeck(['--read-only', '--print-config'], { OPSDECK_CONFIG: path.join(dir, 'empty.yaml') });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { readOnly: boolean }).readOnly).toBe(true);
    const plain = opsdeck(['--print-config'], { OPSDECK_CONFIG: path.join(dir, 'empty.yaml') });
    expect((JSON.parse(plain.stdout) as { readOnly: boolean }).readOnly).toBe(false);
  });
});
