// Retention over fabricated histories (pure): each preset keeps exactly what it says.
import { describe, expect, it } from 'vitest';
import { planPrune, retentionPolicy, type PrunableEntry } from '../../src/backup/retention.js';
import type { BackupKind } from '../../src/backup/types.js';

const DAY = 86_400_000;
const MIN = 60_000;

function entry(sourceKey: string, kind: BackupKind, time: number, verified = true): PrunableEntry {
  return { path: `/b/${sourceKey}/${kind}-${time}`, file: `${kind}-${time}`, sourceKey, kind, time, verified };
}

function kept(entries: PrunableEntry[], decisions: ReturnType<typeof planPrune>): PrunableEntry[] {
  return decisions
    .filter((d) => d.action === 'keep')
    .map((d) => d.entry)
    .filter((e) => entries.includes(e));
}

describe('itsm preset (full 90 days, data-only 30 days)', () => {
  const now = new Date(2025, 5, 30, 12, 0).getTime();
  const policy = retentionPolicy({ preset: 'itsm' });

  it('keeps full backups exactly 90 days and data-only exactly 30 days', () => {
    const full = [
      entry('db', 'full', now - 90 * DAY),
      entry('db', 'full', now - 90 * DAY - MIN),
      entry('db', 'full', now - 1 * DAY),
    ];
    const data = [
      entry('db', 'data', now - 30 * DAY),
      entry('db', 'data', now - 30 * DAY - MIN),
      entry('db', 'data', now - 2 * DAY),
    ];
    const files = [
      entry('files:cfg', 'files', now - 89 * DAY),
      entry('files:cfg', 'files', now - 91 * DAY),
      entry('files:cfg', 'files', now),
    ];
    const d = planPrune([...full, ...data, ...files], policy, now);
    expect(d.map((x) => x.action)).toEqual([
      'keep',
      'delete',
      'keep',
      'keep',
      'delete',
      'keep',
      'keep',
      'delete',
      'keep',
    ]);
    expect(d[1]!.reason).toMatch(/past the 90-day limit for full backups/);
    expect(d[4]!.reason).toMatch(/past the 30-day limit for data-only backups/);
  });

  it('over 60 days of daily data-only and 20 weeks of weekly full backups', () => {
    const data = Array.from({ length: 60 }, (_, d) => entry('db', 'data', now - d * DAY));
    const full = Array.from({ length: 20 }, (_, w) => entry('db', 'full', now - w * 7 * DAY));
    const d = planPrune([...data, ...full], policy, now);
    expect(kept(data, d)).toHaveLength(31); // ages 0..30 days
    expect(kept(full, d)).toHaveLength(13); // ages 0..84 days (12 weeks + today); 91 days is out
  });

  it('never deletes the newest verified backup of a source and kind, however old', () => {
    const old = [
      entry('old', 'full', now - 200 * DAY, false),
      entry('old', 'full', now - 300 * DAY),
      entry('old', 'full', now - 400 * DAY),
    ];
    const d = planPrune(old, policy, now);
    expect(d.map((x) => x.action)).toEqual(['delete', 'keep', 'delete']);
    expect(d[1]!.reason).toMatch(/newest verified full backup of old/);
    expect(d[0]!.reason).toMatch(/^unverified/);
  });

  it('keeps anything stamped in the future and honours overrides', () => {
    const d = planPrune(
      [entry('db', 'full', now + DAY), entry('db', 'full', now - 8 * DAY), entry('db', 'full', now - 6 * DAY)],
      retentionPolicy({ preset: 'itsm', fullDays: 7 }),
      now,
    );
    expect(d.map((x) => x.action)).toEqual(['keep', 'delete', 'keep']);
  });
});

describe('gfs preset (daily 30 days, weekly 12 weeks, monthly 12 months)', () => {
  // Monday 2025-06-30 12:00 local; one backup a day at 03:00 local for 400 days.
  const now = new Date(2025, 5, 30, 12, 0).getTime();
  const policy = retentionPolicy({ preset: 'gfs' });
  const history = (source: string, unverified: number[] = []): PrunableEntry[] =>
    Array.from({ length: 400 }, (_, d) =>
      entry(source, 'full', new Date(2025, 5, 30 - d, 3, 0).getTime(), !unverified.includes(d)),
    );
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  it('keeps the last 30 days, the Sundays of 12 weeks and the month ends of 12 months', () => {
    const h = history('db');
    const d = planPrune(h, policy, now);
    const keptDays = kept(h, d)
      .map((e) => h.indexOf(e))
      .sort((a, b) => a - b);
    const daily = range(0, 29); // 2025-06-01 … 2025-06-30 (age ≤ 30 days)
    const weekly = [36, 43, 50, 57, 64, 71, 78]; // Sundays 2025-05-25 … 2025-04-13 (age ≤ 84 days)
    // 2025-05-31 … 2024-07-31; 2024-06-30 03:00 is past the cutoff
    const monthly = [30, 61, 91, 122, 150, 181, 212, 242, 273, 303, 334];
    expect(keptDays).toEqual([...daily, ...weekly, ...monthly].sort((a, b) => a - b));
    expect(d[36]!.reason).toMatch(/^weekly: newest verified backup of 2025-W21/);
    expect(d[30]!.reason).toMatch(/^monthly: newest verified backup of 2025-05/);
    expect(d[365]!.action).toBe('delete');
  });

  it('gives an unverified backup no slot: the next older verified one fills it', () => {
    const h = history('db', [36, 30]);
    const d = planPrune(h, policy, now);
    const keptDays = new Set(kept(h, d).map((e) => h.indexOf(e)));
    expect(keptDays.has(36)).toBe(false);
    expect(keptDays.has(37)).toBe(true); // Saturday 2025-05-24 now holds week 21
    expect(keptDays.has(30)).toBe(false);
    expect(keptDays.has(31)).toBe(true); // 2025-05-30 now holds May
  });

  it('keeps series of different sources and kinds apart', () => {
    const a = history('a').slice(0, 60);
    const b = [entry('a', 'data', now - 100 * DAY)];
    const d = planPrune([...a, ...b], policy, now);
    expect(d.at(-1)!.action).toBe('keep'); // the only (so newest) verified data-only backup of a
  });
});

describe('none preset', () => {
  it('keeps everything', () => {
    const now = Date.now();
    const d = planPrune(
      [entry('db', 'full', now - 1000 * DAY), entry('db', 'full', now - 2000 * DAY)],
      retentionPolicy({ preset: 'none' }),
      now,
    );
    expect(d.every((x) => x.action === 'keep')).toBe(true);
  });
});
