// Discovery of the log sources a host has: readable /var/log files (not rotations, not unreadable
// ones), the journal when the real journalctl answers, and the configured services' units and
// containers.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverSources } from '../../src/logs/discover.js';
import { checkRequirement } from '../../src/sandbox/requirements.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-discover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const journalctl = checkRequirement('journalctl').path ?? 'journalctl (install Debian package systemd)';

describe('discoverSources', () => {
  it('offers the journal, the services units and containers, and the usual readable /var/log files', async () => {
    writeFileSync(path.join(dir, 'syslog'), 'x\n');
    writeFileSync(path.join(dir, 'syslog.1'), 'x\n');
    writeFileSync(path.join(dir, 'auth.log'), 'x\n');
    mkdirSync(path.join(dir, 'nginx'));
    writeFileSync(path.join(dir, 'nginx', 'error.log'), 'x\n');
    writeFileSync(path.join(dir, 'nginx', 'access.log'), 'x\n');
    writeFileSync(path.join(dir, 'nginx', 'access.log.2.gz'), 'x\n');
    mkdirSync(path.join(dir, 'redis'));
    writeFileSync(path.join(dir, 'redis', 'redis-server.log'), 'x\n');
    const found = await discoverSources({
      varLog: dir,
      journalctl,
      services: [
        { name: 'api', systemd: 'api.service' },
        { name: 'cache', container: 'redis-1' },
      ],
    });
    expect(found).toEqual([
      { name: 'journal', journal: {} },
      { name: 'api (journal)', journal: { unit: 'api.service' } },
      { name: 'cache (container)', container: 'redis-1' },
      { name: 'syslog', file: path.join(dir, 'syslog') },
      { name: 'auth.log', file: path.join(dir, 'auth.log') },
      { name: 'nginx/access.log', file: path.join(dir, 'nginx', 'access.log') },
      { name: 'nginx/error.log', file: path.join(dir, 'nginx', 'error.log') },
      { name: 'redis/redis-server.log', file: path.join(dir, 'redis', 'redis-server.log') },
    ]);
  });

  it('leaves out the journal when journalctl is missing, and files that cannot be read', async () => {
    writeFileSync(path.join(dir, 'syslog'), 'x\n');
    writeFileSync(path.join(dir, 'auth.log'), 'x\n');
    chmodSync(path.join(dir, 'auth.log'), 0o000);
    const found = await discoverSources({
      varLog: dir,
      journalctl: path.join(dir, 'no-journalctl'),
      services: [{ name: 'api', systemd: 'api.service' }],
    });
    const root = process.getuid?.() === 0; // root reads any file
    expect(found.map((s) => s.name)).toEqual(root ? ['syslog', 'auth.log'] : ['syslog']);
  });
});
