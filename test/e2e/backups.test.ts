// End to end: the built binary in a real terminal (tmux) on the Backups view — the catalog read
// from the configured directory, a one-key drill against the sandbox PostgreSQL through the
// console's own wiring (guard, audit trail, drill log), and back to a clean shell on q.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, unavailable } from '../helpers/services.js';
import { backup, createDatabase, databasesLike, dropDatabase, SEED, sql } from '../restore/helpers.js';
import { Tmux } from './tmux.js';

const root = path.resolve(import.meta.dirname, '../..');

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = unavailable('postgres') || (hasTmux() ? false : 'tmux is not installed');

describe.skipIf(missing)('the Backups view in a real terminal', () => {
  const sessions: Tmux[] = [];
  let dir: string;
  let config: string;
  let db: string;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist/main.js')))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    const pgs = postgresService();
    db = await createDatabase('e2e_bk');
    await sql(db, ...SEED);
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-bk-'));
    await backup(path.join(dir, 'backups'), db);
    config = path.join(dir, 'opsdeck.yaml');
    writeFileSync(
      config,
      [
        'discover: false',
        'targets:',
        `  postgres: { host: ${pgs.host}, port: ${pgs.port}, user: ${pgs.user}, database: ${pgs.database} }`,
        'backups:',
        `  dir: ${JSON.stringify(path.join(dir, 'backups'))}`,
        `  databases: [${db}]`,
        `audit: { path: ${JSON.stringify(path.join(dir, 'audit.jsonl'))} }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    for (const s of sessions) s.kill();
    if (db) await dropDatabase(db);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('at 80×24: lists the backup, drills it with D, records it, leaves no scratch database', async () => {
    const t = Tmux.start({ columns: 80, rows: 24, cwd: root, env: { XDG_STATE_HOME: path.join(dir, 'state') } });
    sessions.push(t);
    t.run(`node bin/opsdeck.js --config ${config}; echo "EXIT=$?"`);
    await t.waitFor('[1 Overview]', 20_000);
    t.command('view.backups');
    const list = await t.waitFor(
      (s) => s.includes('[7 Backups]') && s.includes(db) && s.includes('✓ yes'),
      15_000,
      'the backup in the catalog',
    );
    for (const l of list.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
    t.command('backups.drill');
    const done = await t.waitFor(/PASSED|FAILED/, 60_000, 'the drill result');
    expect(done).toContain('PASSED');
    expect(done).toMatch(/Verification: PASSED/);
    expect(done).toMatch(/took \d+\.\d s/);
    expect(await databasesLike(`${db}_drill_`)).toEqual([]);
    const drills = readFileSync(path.join(dir, 'backups', 'drills.jsonl'), 'utf8');
    expect(drills).toContain(`"source":"${db}"`);
    expect(readFileSync(path.join(dir, 'audit.jsonl'), 'utf8')).toContain('"action":"restore.drill"');
    t.command('task.close');
    await t.waitFor((s) => s.includes('last drill') && !s.includes('Verification'), 10_000, 'back to the table');
    t.command('quit');
    await t.waitFor('EXIT=0');
    expect(t.alternateOn()).toBe(false);
  });
});
