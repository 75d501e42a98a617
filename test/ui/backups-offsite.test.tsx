// The Backups view with off-host copies (backups.offsite, issue 14 point 6): an off-host column
// with each copy's state, and a backup left only on the remote (the local file deleted) is listed
// as "remote only"; D drills it — the controller fetches it from the real rclone WebDAV remote on
// loopback, checks its sha256, then the drill passes.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushOffsite } from '../../src/backup/offsite.js';
import type { OffsiteConfig } from '../../src/config/schema.js';
import { startRcloneServer, type RcloneServer } from '../../src/sandbox/rclone.js';
import { unavailable } from '../helpers/services.js';
import { backup, createDatabase, databasesLike, dropDatabase, SEED, server, sql, tempDir } from '../restore/helpers.js';
import { renderBackups, type BackupsConsole } from './backups-harness.js';

describe.skipIf(unavailable('postgres'))('the Backups view with off-host copies', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let remote: RcloneServer;
  let env: NodeJS.ProcessEnv;
  let ui: BackupsConsole | undefined;
  const cfg: OffsiteConfig = {
    remote: 'ui:bk',
    rclone: 'rclone',
    interval: 60_000,
    retry: { initial: 60_000, max: 3_600_000, factor: 2 },
  };

  beforeAll(async () => {
    db = await createDatabase('ui_bk_off');
    await sql(db, ...SEED);
    root = tempDir('ui-offsite');
    mkdirSync(path.join(root.dir, 'remote'));
    remote = await startRcloneServer({ kind: 'webdav', dir: path.join(root.dir, 'remote'), password: 'ui-Secret-99' });
    env = { ...process.env, ...remote.clientEnv('ui') };
    const older = await backup(path.join(root.dir, 'b'), db);
    await pushOffsite({ root: path.join(root.dir, 'b'), cfg, env });
    // Newer, not copied yet: pending. Taken before the older one goes, so that within the same second it gets a name
    // of its own (the freed name would otherwise be reused, and its copy state with it).
    await backup(path.join(root.dir, 'b'), db);
    rmSync(older);
    rmSync(`${older}.json`);
  }, 120_000);
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });
  afterAll(async () => {
    await remote?.stop();
    root?.remove();
    if (db) await dropDatabase(db);
  });

  it('shows each copy state; D on a remote-only backup fetches, checks and drills it', async () => {
    ui = renderBackups({ dir: path.join(root.dir, 'b'), conn: server(), offsite: cfg, env, columns: 140 });
    const f = await ui.waitFor('remote only');
    expect(f).toMatch(/off-host/);
    expect(f).toMatch(/pending/);
    await ui.press('j');
    await ui.waitFor('only on the remote: ui:bk/postgres/');
    await ui.command('backups.drill');
    const done = await ui.waitFor('PASSED', 60_000);
    expect(done.replace(/\s+/g, ' ')).toMatch(new RegExp(`restored into ${db}_drill_\\d{8}_\\d{6} and verified`));
    expect(await databasesLike(`${db}_drill_`)).toEqual([]);
    expect(ui.audit.entries.map((e) => `${e.action}:${e.event}`)).toContain('restore.drill:succeeded');
  }, 90_000);
});
