// The walkthrough when the restore fails after the drop: the console offers the safety dump back,
// puts it back on a yes, and says plainly what state the database is in.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from '../helpers/services.js';
import {
  backup,
  checksum,
  createDatabase,
  dropDatabase,
  rewriteBackup,
  SEED,
  server,
  sql,
  tempDir,
} from '../restore/helpers.js';
import { renderBackups } from './backups-harness.js';

const squash = (f: string): string => f.replace(/\s+/g, '');

describe.skipIf(unavailable('postgres'))('the restore walkthrough after a failure past the drop', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let broken: { dir: string; remove: () => void };
  let original: Record<string, string>;

  beforeAll(async () => {
    db = await createDatabase('ui_rs_rb');
    await sql(db, ...SEED);
    original = await checksum(db);
    root = tempDir('ui_rs_rb');
    broken = tempDir('ui_rs_rb_broken');
    const file = await backup(root.dir, db);
    const out = path.join(broken.dir, path.relative(root.dir, file));
    mkdirSync(path.dirname(out), { recursive: true });
    // Verifies as a file (checksum, marker) but fails half-way through the load.
    await rewriteBackup(file, (t) => t.replace('\nCOPY public.incidents', '\nSELECT 1/0;\nCOPY public.incidents'), out);
  });
  afterAll(async () => {
    root?.remove();
    broken?.remove();
    if (db) await dropDatabase(db);
  });

  it(
    'offers the safety dump back, restores it on y and says the database is rolled back',
    { timeout: 120_000 },
    async () => {
      const ui = renderBackups({ dir: broken.dir, conn: server() });
      try {
        await ui.waitFor(db);
        await ui.command('backups.restore');
        await ui.waitFor('Preflight passed', 30_000);
        await ui.command('question.yes');
        await ui.waitFor('Confirm the drop', 60_000);
        await ui.type(db);
        await ui.command('typing.accept');
        const offer = await ui.waitFor('FAILED after the drop', 60_000);
        expect(offer).toMatch(/✗ \[5\/9\] restore the backup: FAILED/);
        expect(offer).toMatch(/division by zero/);
        expect(squash(offer)).toContain(squash('Put the safety dump'));
        expect(offer).toContain('y: put the safety dump back · n: leave the database as it is now');
        await ui.command('question.yes');
        const end = await ui.waitFor(/FAILED in [\d.]+ s:/, 90_000);
        expect(squash(end)).toContain(squash(`ROLLED BACK: ${db} is back to the safety dump`));
        expect(await checksum(db)).toEqual(original);
        await ui.command('task.close');
        await ui.waitFor((f) => !f.includes('ROLLED BACK'));
      } finally {
        await ui.close();
      }
    },
  );
});
