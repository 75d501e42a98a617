// The Backups view against the real layers and the shared PostgreSQL: a backup taken in the test
// is listed; `v` re-verifies it; `D` drills it (one key: scratch database, verification, the
// comparison table and the time it took, no scratch database left); `b` takes a backup through
// the shared plan dialog; read-only mode does not offer the state-changing keys.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from '../helpers/services.js';
import { backup, createDatabase, databasesLike, dropDatabase, SEED, server, sql, tempDir } from '../restore/helpers.js';
import { renderBackups, type BackupsConsole } from './backups-harness.js';
import { commandKey, keyBytes } from './keys.js';

describe.skipIf(unavailable('postgres'))('the Backups view', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;
  let ui: BackupsConsole | undefined;

  beforeAll(async () => {
    db = await createDatabase('ui_bk');
    await sql(db, ...SEED);
    root = tempDir('ui-backups');
    file = await backup(root.dir, db);
  });
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });

  it('lists the backup taken in the test: time, kind, source, size, age, verified', async () => {
    ui = renderBackups({ dir: root.dir, conn: server() });
    const f = await ui.waitFor(db);
    expect(f).toContain('[7');
    expect(f).toMatch(/time\s+kind\s+source\s+size\s+age\s+verified/);
    expect(f).toMatch(new RegExp(`full\\s+${db}\\s+[\\d.]+ kB\\s+0m\\s+✓ yes`));
    expect(f).toContain(path.basename(file));
    expect(f).toContain('newest verified:');
    // The harness's store has no PostgreSQL reading: the recovery point says so instead of guessing.
    expect(f).toContain(`Recovery point: ${db} backup 0m ago · WAL archiving unknown`);
  });

  it('re-verifies the selected backup with v and shows every check', async () => {
    ui = renderBackups({ dir: root.dir, conn: server() });
    await ui.waitFor(db);
    await ui.command('backups.verify');
    const f = await ui.waitFor('✓ VERIFIED', 30_000);
    expect(f).toMatch(/ok\s+sha256/);
    expect(f).toMatch(/ok\s+marker/);
    await ui.command('task.close');
    await ui.waitFor(/✓ re-verified/);
  });

  it('drills the selected backup with one key D: comparison, time taken, no scratch database left', async () => {
    ui = renderBackups({ dir: root.dir, conn: server() });
    await ui.waitFor(db);
    await ui.command('backups.drill');
    await ui.waitFor('Drill ');
    const f = await ui.waitFor('PASSED', 60_000);
    const flat = f.replace(/\s+/g, ' ');
    expect(flat).toMatch(new RegExp(`restored into ${db}_drill_\\d{8}_\\d{6} and verified`));
    expect(f).toMatch(/took \d+\.\d s \(load/);
    expect(f).toMatch(/Verification: PASSED/);
    expect(f).toMatch(/public\.incidents\s+3000\s+3000\s+✓/);
    expect(flat).toMatch(/is gone; .* was not touched/);
    expect(await databasesLike(`${db}_drill_`)).toEqual([]);
    expect(ui.audit.entries.map((e) => `${e.action}:${e.event}`)).toContain('restore.drill:succeeded');
    await ui.command('task.close');
    // The catalog now shows the source's last drill.
    await ui.waitFor(new RegExp(`${db}.*✓ (yes|re-verified)\\s+0m`));
  });

  it('takes a backup now through the shared plan dialog (b, y) and lists it', async () => {
    const own = tempDir('ui-backup-now');
    try {
      ui = renderBackups({ dir: own.dir, conn: server(), databases: [db] });
      await ui.waitFor('no backups in');
      await ui.command('backups.backup');
      await ui.waitFor(/dump the database/);
      await ui.command('question.yes');
      await ui.waitFor(/SUCCEEDED|Succeeded/, 60_000);
      await ui.command('task.close');
      const f = await ui.waitFor(/1 backup · newest verified/, 15_000);
      expect(f).toMatch(new RegExp(`full\\s+${db}`));
      expect(ui.audit.entries.map((e) => `${e.action}:${e.event}`)).toContain('backup.postgres:succeeded');
    } finally {
      own.remove();
    }
  });

  it('in read-only mode offers only the keys that change nothing', async () => {
    ui = renderBackups({ dir: root.dir, conn: server(), readOnly: true });
    const f = await ui.waitFor(db);
    expect(f).toContain('v verify');
    // Word boundaries: a database name ending in "b" followed by " backup" must not read as the key hint.
    expect(f).not.toMatch(/\bD drill|\bR restore|(^|\s)b backup|\bp prune/m);
    // The keys the writable console binds to drill and restore do nothing here.
    await ui.press(keyBytes(commandKey('backups.drill')), keyBytes(commandKey('backups.restore')));
    expect(ui.frame()).not.toContain('Drill ');
    expect(ui.frame()).not.toContain('Restore ');
  });
});
