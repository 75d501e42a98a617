// `opsdeck demo` end to end without a terminal: it starts the sandbox, seeds it, shows every
// target live (one unhealthy container), and removes everything when it ends.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { seedPostgres } from '../../src/cli/demo.js';
import { startPostgres } from '../../src/sandbox/index.js';
import { unavailable } from '../helpers/services.js';

describe.skipIf(unavailable('postgres') || unavailable('redis') || unavailable('docker'))('opsdeck demo', () => {
  it('starts seeded services, reports them, and leaves nothing behind', () => {
    const r = spawnSync(process.execPath, [path.resolve('bin/opsdeck.js'), 'demo'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const configLine = /config at (\S+opsdeck-demo\.yaml)/.exec(r.stderr);
    expect(configLine, r.stderr).not.toBeNull();
    expect(r.stdout).toMatch(/postgres\s+configured\s+ok/);
    expect(r.stdout).toMatch(/redis\s+configured\s+ok/);
    expect(r.stdout).toMatch(/docker\s+configured\s+ok/);
    expect(r.stdout).toMatch(/unhealthy itsm-worker\s+1\b.*CRIT/);
    expect(r.stdout).toMatch(/unhealthy itsm-backend\s+0\b.*OK/);
    expect(r.status).toBe(2); // the unhealthy container is CRITICAL
    expect(existsSync(path.dirname(configLine![1]!))).toBe(false);
  });

  it("seeds the manual's incidents table with a few thousand rows", async () => {
    const server = await startPostgres({ database: 'itsm_db' });
    try {
      await seedPostgres(server.adminUrl, 3000);
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const { rows } = await client.query<{ n: string; p: string }>(
        'SELECT count(*) AS n, count(DISTINCT priority) AS p FROM incidents',
      );
      await client.end();
      expect(rows[0]).toEqual({ n: '3000', p: '4' });
    } finally {
      await server.stop();
    }
  });
});
