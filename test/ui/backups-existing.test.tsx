// The Backups view lists backups another tool wrote (backups.existing) beside opsdeck's own: an
// origin column, the directory and layout of the selected one, "✗ NO" (not verified yet), and
// the keys that would read them through a sidecar say so instead of starting — the directory is
// byte-for-byte unchanged afterwards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from '../helpers/services.js';
import { fingerprint, makeExistingDirs, type ExistingFixture } from '../backup/existing-fixtures.js';
import { backup, createDatabase, dropDatabase, SEED, server, sql, tempDir } from '../restore/helpers.js';
import { renderBackups, type BackupsConsole } from './backups-harness.js';
import { commandKey, keyBytes } from './keys.js';

describe.skipIf(unavailable('postgres'))('the Backups view with existing backups', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let other: { dir: string; remove: () => void };
  let fx: ExistingFixture;
  let ui: BackupsConsole | undefined;

  beforeAll(async () => {
    db = await createDatabase('ui_bk_ex');
    await sql(db, ...SEED);
    root = tempDir('ui-existing');
    other = tempDir('ui-existing-dirs');
    await backup(root.dir, db);
    fx = await makeExistingDirs(other.dir, db);
  }, 120_000);
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });
  afterAll(async () => {
    root?.remove();
    other?.remove();
    if (db) await dropDatabase(db);
  });

  it('shows them with their origin and why they are not verified; v, D and R leave them alone', async () => {
    const before = fingerprint([fx.itsm]);
    ui = renderBackups({
      dir: root.dir,
      conn: server(),
      existing: [{ dir: fx.itsm, database: db, name: 'itsm' }],
      columns: 120,
    });
    const f = await ui.waitFor('itsm (itsm)');
    expect(f).toMatch(/time\s+kind\s+source\s+origin\s+size/);
    expect(f).toMatch(new RegExp(`full\\s+${db}\\s+opsdeck\\s+.*✓ yes`));
    expect(f).toMatch(new RegExp(`data-only\\s+${db}\\s+itsm \\(itsm\\)\\s+.*✗ NO`));
    expect(f).toContain('2 written by other tools');
    // Newest first: opsdeck's own backup of today, then the ITSM data-only of 2026-01-02.
    await ui.press('j');
    const sel = await ui.waitFor('written by another tool in');
    expect(sel).toContain('NOT verified: not verified yet (no sidecar: written by another tool)');
    expect(sel).toContain('(itsm layout), time from the file name');
    for (const id of ['backups.verify', 'backups.drill', 'backups.restore'] as const) {
      await ui.press(keyBytes(commandKey(id)));
      await ui.waitFor('listed only (verify, drill and restore of it come later)');
    }
    expect(ui.frame()).not.toContain('Drill ');
    expect(fingerprint([fx.itsm])).toEqual(before);
  });
});
