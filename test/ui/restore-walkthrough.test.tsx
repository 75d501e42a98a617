// The restore walkthrough in the console against the real restore layer and the shared
// PostgreSQL: the preflight with every check (connections by application and address, services);
// Esc at the typed name leaves the data untouched; typing the name restores, shows the comparison
// table and says what state the database is in; a truncated backup stops at preflight.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresService, unavailable } from '../helpers/services.js';
import {
  backup,
  checksum,
  createDatabase,
  DAMAGE,
  databaseExists,
  dropDatabase,
  SEED,
  server,
  sql,
  tempDir,
} from '../restore/helpers.js';
import { fakeAppService, renderBackups, type BackupsConsole } from './backups-harness.js';

const flat = (f: string): string => f.replace(/\s+/g, ' ');
/** Without any whitespace: long paths are wrapped at any character. */
const squash = (f: string): string => f.replace(/\s+/g, '');

describe.skipIf(unavailable('postgres'))('the restore walkthrough', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let ui: BackupsConsole | undefined;

  afterEach(async () => {
    await ui?.close();
    ui = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A seeded database, a backup of it in its own root, and the checksum of its data. */
  async function setup(
    prefix: string,
  ): Promise<{ db: string; dir: string; file: string; original: Record<string, string> }> {
    const db = await createDatabase(prefix);
    cleanups.push(() => dropDatabase(db));
    await sql(db, ...SEED);
    const root = tempDir(prefix);
    cleanups.push(root.remove);
    const file = await backup(root.dir, db);
    return { db, dir: root.dir, file, original: await checksum(db) };
  }

  /** A client of the application, connected to `db` from this host, so preflight has a connection to list. */
  async function appClient(db: string): Promise<void> {
    const s = postgresService();
    const c = new pg.Client({
      host: s.host,
      port: s.port,
      user: s.user,
      database: db,
      application_name: 'itsm-backend',
    });
    c.on('error', () => undefined); // the restore terminates it
    await c.connect();
    cleanups.push(() => c.end().catch(() => undefined));
  }

  it('shows the preflight, and Esc at the typed name leaves the data untouched', async () => {
    const { db, dir, original } = await setup('ui_rs_esc');
    await appClient(db);
    const web = path.join(dir, 'itsm-web.running');
    ui = renderBackups({ dir, conn: server(), services: [fakeAppService('itsm-web', web)] });
    await ui.waitFor(db);
    await ui.command('backups.restore');
    const pre = flat(await ui.waitFor('Preflight passed', 30_000));
    expect(pre).toMatch(/ok backup file: /);
    expect(pre).toMatch(new RegExp(`ok target database: ${db}`));
    expect(pre).toMatch(/ok owner: /);
    expect(pre).toMatch(/ok space for the safety dump: /);
    expect(pre).toMatch(/ok connections to terminate: 1 connection will be terminated 1× itsm-backend \(postgres@/);
    expect(pre).toMatch(/ok application services: 1 will be stopped/);
    expect(pre).toMatch(/y: begin · n\/Esc: close, nothing is changed/);
    // The rest of the checks and the plan, each step with its exact command, are a scroll away.
    await ui.command('task.down', 'task.down', 'task.down', 'task.down', 'task.down', 'task.down');
    await ui.waitFor(/itsm-web/);
    await ui.command('question.yes');
    const drop = flat(await ui.waitFor('Confirm the drop', 60_000));
    expect(drop).toMatch(/✓ \[1\/9\] stop application services: done — stopped itsm-web/);
    expect(drop).toMatch(/✓ \[2\/9\] terminate other connections: done — 1 connection terminated/);
    expect(drop).toMatch(/✓ \[3\/9\] .*safety dump.*: done/);
    expect(drop).toMatch(/next: .*drop/i);
    expect(drop).toMatch(/DROP DATABASE/);
    expect(drop).toContain(`Type the name "${db}"`);
    await ui.type('wrong');
    await ui.command('typing.cancel');
    const end = flat(await ui.waitFor('DECLINED', 60_000));
    expect(squash(end)).toContain(squash(`UNTOUCHED: ${db} was not dropped; its data is exactly as before.`));
    expect(existsSync(web)).toBe(true); // the service was started again
    expect(await databaseExists(db)).toBe(true);
    expect(await checksum(db)).toEqual(original);
    await ui.command('task.close');
    await ui.waitFor((f) => f.includes('verify') && !f.includes('DECLINED'));
  });

  it('restores when the name is typed: the comparison table and the final sentence', { timeout: 120_000 }, async () => {
    const { db, dir, file, original } = await setup('ui_rs_go');
    await sql(db, ...DAMAGE);
    expect(await checksum(db)).not.toEqual(original);
    ui = renderBackups({ dir, conn: server() });
    await ui.waitFor(db);
    await ui.command('backups.restore');
    await ui.waitFor('Preflight passed', 30_000);
    await ui.command('question.yes');
    await ui.waitFor('Confirm the drop', 60_000);
    await ui.type('nope');
    await ui.command('typing.accept');
    await ui.waitFor('"nope" is not the name');
    await ui.command('typing.erase', 'typing.erase', 'typing.erase', 'typing.erase');
    await ui.type(db);
    await ui.waitFor(`> ${db}▏`);
    await ui.command('typing.accept');
    const done = flat(await ui.waitFor(/SUCCEEDED in/, 60_000));
    expect(done).toContain('Verification: PASSED');
    expect(done).toMatch(/public\.incidents 3000 3000 ✓/);
    expect(squash(done)).toContain(squash(`RESTORED: ${db} is restored from ${file} and verified.`));
    expect(await checksum(db)).toEqual(original);
    // The sentence stays on screen while the operator scrolls the table.
    await ui.command('task.down', 'task.down');
    expect(squash(ui.frame())).toContain(squash(`RESTORED: ${db}`));
  });

  it('stops a truncated backup at preflight with the database untouched', async () => {
    const { db, dir, file, original } = await setup('ui_rs_cut');
    const other = tempDir('ui_rs_cut2');
    cleanups.push(other.remove);
    const target = path.join(other.dir, path.relative(dir, file));
    mkdirSync(path.dirname(target), { recursive: true });
    const bytes = readFileSync(file);
    writeFileSync(target, bytes.subarray(0, Math.floor(bytes.length / 2)));
    copyFileSync(`${file}.json`, `${target}.json`);
    ui = renderBackups({ dir: other.dir, conn: server() });
    await ui.waitFor(/✗ NO/);
    await ui.command('backups.restore');
    const f = flat(await ui.waitFor('Preflight FAILED', 30_000));
    expect(f).toMatch(/FAIL backup file: /);
    expect(squash(f)).toContain(squash(`UNTOUCHED: nothing was changed; ${db} is exactly as it was.`));
    expect(await checksum(db)).toEqual(original);
    expect(ui.audit.entries.find((e) => e.action === 'restore.database')).toMatchObject({ event: 'refused' });
  });
});
