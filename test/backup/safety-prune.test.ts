// Safety dumps of restores (`<backups.dir>/before-restore/`): per database, the newest 3 verified
// or everything younger than 30 days, whichever keeps more; never one made less than 24 h ago.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceDir } from '../../src/backup/naming.js';
import { deleteSafetyDump } from '../../src/backup/prune.js';
import { planSafetyPrune, retentionPolicy, type PrunableEntry } from '../../src/backup/retention.js';
import { filesUnder, tempDir } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date(2025, 5, 30, 12, 0).getTime();
const itsm = retentionPolicy({ preset: 'itsm' });

function dump(db: string, age: number, verified = true): PrunableEntry {
  return {
    path: `/b/before-restore/postgres/${db}/full-${age}`,
    file: `full-${age}`,
    sourceKey: db,
    kind: 'full',
    time: now - age,
    verified,
  };
}
const actions = (d: ReturnType<typeof planSafetyPrune>): string[] =>
  d.map((x) => `${x.entry.sourceKey}@${Math.round((now - x.entry.time) / DAY)}d:${x.action}`);

describe('safety dump retention', () => {
  it('keeps the newest 3 when fewer than 3 are younger than 30 days', () => {
    const d = planSafetyPrune(
      [dump('db', 2 * HOUR), dump('db', 20 * DAY), dump('db', 40 * DAY), dump('db', 50 * DAY), dump('db', 60 * DAY)],
      itsm,
      now,
    );
    expect(actions(d)).toEqual(['db@0d:keep', 'db@20d:keep', 'db@40d:keep', 'db@50d:delete', 'db@60d:delete']);
    expect(d[0]!.reason).toMatch(/made 2 h ago: never deleted within 24 h/);
    expect(d[2]!.reason).toMatch(/one of the 3 newest verified safety dumps of db/);
    expect(d[3]!.reason).toMatch(
      /^safety dump, 50 days old: past 30 days and not one of the 3 newest verified safety dumps of db$/,
    );
  });

  it('keeps everything younger than 30 days when that is more than 3', () => {
    const young = [1, 5, 10, 20, 29].map((n) => dump('db', n * DAY));
    const d = planSafetyPrune([...young, dump('db', 31 * DAY)], itsm, now);
    expect(actions(d)).toEqual([
      'db@1d:keep',
      'db@5d:keep',
      'db@10d:keep',
      'db@20d:keep',
      'db@29d:keep',
      'db@31d:delete',
    ]);
    expect(d[4]!.reason).toMatch(/safety dumps are kept 30 days/);
  });

  it('counts per database; unverified dumps never fill one of the 3 slots', () => {
    const d = planSafetyPrune(
      [dump('a', 40 * DAY, false), dump('a', 50 * DAY), dump('a', 60 * DAY), dump('a', 70 * DAY), dump('b', 80 * DAY)],
      itsm,
      now,
    );
    expect(actions(d)).toEqual(['a@40d:delete', 'a@50d:keep', 'a@60d:keep', 'a@70d:keep', 'b@80d:keep']);
    expect(d[0]!.reason).toMatch(/^safety dump, unverified, 40 days old/);
  });

  it('never deletes one made less than 24 h ago or stamped in the future; preset none keeps all', () => {
    // The 3 slots go to the verified future one and the 31- and 32-day-old ones; the unverified 23-hour-old one
    // stays anyway.
    const d = planSafetyPrune(
      [
        dump('db', -HOUR),
        dump('db', 23 * HOUR, false),
        dump('db', 31 * DAY),
        dump('db', 32 * DAY),
        dump('db', 33 * DAY),
        dump('db', 34 * DAY),
      ],
      itsm,
      now,
    );
    expect(d.map((x) => x.action)).toEqual(['keep', 'keep', 'keep', 'keep', 'delete', 'delete']);
    expect(d[0]!.reason).toMatch(/in the future/);
    expect(d[1]!.reason).toMatch(/never deleted within 24 h/);
    expect(
      planSafetyPrune(
        [dump('db', 400 * DAY), dump('db', 500 * DAY), dump('db', 600 * DAY), dump('db', 700 * DAY)],
        retentionPolicy({ preset: 'none' }),
        now,
      ).every((x) => x.action === 'keep'),
    ).toBe(true);
  });

  it("deleteSafetyDump checks the 24 hours again, by start time and by the file's mtime", async () => {
    const root = tempDir('safety');
    try {
      const dir = sourceDir(root.dir, { type: 'postgres', name: 'db' });
      mkdirSync(dir, { recursive: true });
      const make = (file: string, mtimeAgo: number): string => {
        const f = path.join(dir, file);
        writeFileSync(f, 'dump');
        writeFileSync(`${f}.json`, '{}');
        const t = (Date.now() - mtimeAgo) / 1000;
        utimesSync(f, t, t);
        return f;
      };
      const fresh = make('full_backup_20250101_030000.sql.gz', HOUR); // named old, written an hour ago
      await expect(
        deleteSafetyDump(root.dir, { path: fresh, file: path.basename(fresh), time: Date.now() - 40 * DAY }),
      ).rejects.toThrow(/less than 24 h ago/);
      const recent = make('full_backup_20250102_030000.sql.gz', 40 * DAY);
      await expect(
        deleteSafetyDump(root.dir, { path: recent, file: path.basename(recent), time: Date.now() - 2 * HOUR }),
      ).rejects.toThrow(/less than 24 h ago/);
      const old = make('full_backup_20250103_030000.sql.gz', 40 * DAY);
      await deleteSafetyDump(root.dir, { path: old, file: path.basename(old), time: Date.now() - 40 * DAY });
      expect(filesUnder(dir)).toEqual([
        'full_backup_20250101_030000.sql.gz',
        'full_backup_20250101_030000.sql.gz.json',
        'full_backup_20250102_030000.sql.gz',
        'full_backup_20250102_030000.sql.gz.json',
      ]);
    } finally {
      root.remove();
    }
  });
});
