// Retention: which backups to keep, as a pure function of the catalog, the policy and the clock.
// Decisions (documented in the README):
// - Ages are exact: a backup is "within N days" while now − start ≤ N × 24 h. (The manuals'
//   `find -mtime +N -delete` keeps up to N+1 days; we keep exactly N.)
// - itsm (ITSM manual §3.1): full backups 90 days, data-only ("diff") 30 days. File-set tarballs
//   are full copies and follow the full limit.
// - gfs (knowledge manual): every backup younger than 30 days is kept (the daily tier — nothing
//   recent is ever thinned out); beyond that, the newest verified backup of each ISO week is kept
//   while younger than 12 weeks, and the newest verified backup of each calendar month while
//   younger than 12 calendar months. Weeks and months are in local time.
// - Buckets and protections are per source AND kind: full and data-only backups of a database
//   are separate series (a data-only dump cannot be restored without a full one).
// - Never deleted, whatever the policy: the newest verified backup of each source and kind, and
//   anything timestamped in the future (a wrong clock must not delete the latest backups).
// - Unverified backups (failed re-verify, no sidecar) follow the age limits but never fill a
//   weekly/monthly slot and never count as the newest verified one.
// - Safety dumps (`<backups.dir>/before-restore/`, taken by a restore before the drop) have a rule
//   of their own, whatever the preset except `none`: per database, keep the newest
//   SAFETY_KEEP_NEWEST (3) verified ones and every one younger than SAFETY_KEEP_DAYS (30 days) —
//   the union, i.e. whichever keeps more. Never deleted: one made less than SAFETY_MIN_AGE_MS
//   (24 h) ago, whatever the rule says (a rollback may still need it), or stamped in the future.
import type { CatalogEntry } from './catalog.js';

export type RetentionPolicy =
  | { preset: 'itsm'; fullDays: number; diffDays: number }
  | { preset: 'gfs'; dailyDays: number; weeklyWeeks: number; monthlyMonths: number }
  | { preset: 'none' };

/** The retention block of the config (preset plus overrides). */
export interface RetentionConfig {
  preset: 'itsm' | 'gfs' | 'none';
  fullDays?: number | undefined;
  diffDays?: number | undefined;
  dailyDays?: number | undefined;
  weeklyWeeks?: number | undefined;
  monthlyMonths?: number | undefined;
}

/** Preset defaults with the config's overrides applied (overrides of the other preset are ignored). */
export function retentionPolicy(cfg: RetentionConfig): RetentionPolicy {
  if (cfg.preset === 'none') return { preset: 'none' };
  if (cfg.preset === 'gfs')
    return {
      preset: 'gfs',
      dailyDays: cfg.dailyDays ?? 30,
      weeklyWeeks: cfg.weeklyWeeks ?? 12,
      monthlyMonths: cfg.monthlyMonths ?? 12,
    };
  return { preset: 'itsm', fullDays: cfg.fullDays ?? 90, diffDays: cfg.diffDays ?? 30 };
}

/** One line describing a policy, e.g. "itsm: full 90 days, data-only 30 days". */
export function describePolicy(p: RetentionPolicy): string {
  if (p.preset === 'none') return 'none: keep everything';
  if (p.preset === 'itsm') return `itsm: full and file backups ${p.fullDays} days, data-only ${p.diffDays} days`;
  const weekly = `newest of each week ${p.weeklyWeeks} weeks`;
  const monthly = `newest of each month ${p.monthlyMonths} months`;
  return `gfs: everything ${p.dailyDays} days, ${weekly}, ${monthly}`;
}

/** What planPrune needs of a catalog entry. */
export type PrunableEntry = Pick<CatalogEntry, 'path' | 'file' | 'sourceKey' | 'kind' | 'time' | 'verified'>;

export interface PruneDecision<E extends PrunableEntry = PrunableEntry> {
  entry: E;
  action: 'keep' | 'delete';
  reason: string;
}

const DAY = 86_400_000;

/** ISO 8601 week of a local date, e.g. "2025-W03" (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(t: number): string {
  const d = new Date(t);
  // The Thursday of the same Monday-to-Sunday week decides the year; week 1 is the one holding 4 January.
  const thursday = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 3 - ((d.getDay() + 6) % 7));
  const jan4 = new Date(thursday.getFullYear(), 0, 4);
  const week = 1 + Math.round(((thursday.getTime() - jan4.getTime()) / DAY - 3 + ((jan4.getDay() + 6) % 7)) / 7);
  return `${thursday.getFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Calendar month of a local date, e.g. "2025-01". */
export function monthOf(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** The local time `months` calendar months before `now` (the day clamped to the month's length). */
export function monthsBefore(now: number, months: number): number {
  const d = new Date(now);
  const target = new Date(
    d.getFullYear(),
    d.getMonth() - months,
    1,
    d.getHours(),
    d.getMinutes(),
    d.getSeconds(),
    d.getMilliseconds(),
  );
  const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
  target.setDate(Math.min(d.getDate(), last));
  return target.getTime();
}

function days(ms: number): string {
  const d = ms / DAY;
  return d < 1 ? `${Math.round(ms / 3_600_000)} h` : `${Math.floor(d)} days`;
}

/** Decides keep or delete, with a reason, for every entry. Pure: same input, same answer. */
export function planPrune<E extends PrunableEntry>(
  entries: readonly E[],
  policy: RetentionPolicy,
  now: number,
): PruneDecision<E>[] {
  const groups = new Map<string, E[]>();
  for (const e of entries) {
    const k = `${e.sourceKey}\0${e.kind}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const out = new Map<E, PruneDecision<E>>();
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => b.time - a.time);
    const newest = sorted.find((e) => e.verified);
    // First (newest) verified entry of each week and month: the ones that fill a slot.
    const weekRep = new Map<string, E>();
    const monthRep = new Map<string, E>();
    for (const e of sorted) {
      if (!e.verified) continue;
      if (!weekRep.has(isoWeek(e.time))) weekRep.set(isoWeek(e.time), e);
      if (!monthRep.has(monthOf(e.time))) monthRep.set(monthOf(e.time), e);
    }
    for (const e of sorted)
      out.set(
        e,
        decide(e, policy, now, e === newest, weekRep.get(isoWeek(e.time)) === e, monthRep.get(monthOf(e.time)) === e),
      );
  }
  return entries.map((e) => out.get(e)!);
}

function decide<E extends PrunableEntry>(
  e: E,
  p: RetentionPolicy,
  now: number,
  newest: boolean,
  weekRep: boolean,
  monthRep: boolean,
): PruneDecision<E> {
  const keep = (reason: string): PruneDecision<E> => ({ entry: e, action: 'keep', reason });
  const del = (reason: string): PruneDecision<E> => ({ entry: e, action: 'delete', reason });
  const age = now - e.time;
  const series = e.kind === 'data' ? 'data-only' : e.kind;
  if (newest) return keep(`newest verified ${series} backup of ${e.sourceKey}: never pruned`);
  if (age < 0) return keep('timestamp is in the future (check the clock): kept');
  const unverified = e.verified ? '' : 'unverified, ';
  if (p.preset === 'none') return keep('retention preset none: kept');
  if (p.preset === 'itsm') {
    const limit = e.kind === 'data' ? p.diffDays : p.fullDays;
    return age <= limit * DAY
      ? keep(`${unverified}${days(age)} old, ${series} backups are kept ${limit} days`)
      : del(`${unverified}${days(age)} old, past the ${limit}-day limit for ${series} backups`);
  }
  if (age <= p.dailyDays * DAY)
    return keep(`${unverified}${days(age)} old, within the ${p.dailyDays}-day daily window`);
  if (weekRep && age <= p.weeklyWeeks * 7 * DAY)
    return keep(`weekly: newest verified backup of ${isoWeek(e.time)}, kept ${p.weeklyWeeks} weeks`);
  if (monthRep && e.time >= monthsBefore(now, p.monthlyMonths))
    return keep(`monthly: newest verified backup of ${monthOf(e.time)}, kept ${p.monthlyMonths} months`);
  const why = !e.verified
    ? 'unverified'
    : weekRep || monthRep
      ? `its ${weekRep ? 'week' : 'month'} slot has expired`
      : `not the newest of its week (${isoWeek(e.time)}) or month (${monthOf(e.time)})`;
  return del(`${days(age)} old, past the ${p.dailyDays}-day daily window and ${why}`);
}

/** Safety dumps: the newest this many verified ones per database are kept, however old. */
export const SAFETY_KEEP_NEWEST = 3;
/** Safety dumps: every one younger than this many days is kept. */
export const SAFETY_KEEP_DAYS = 30;
/** Safety dumps: never deleted within this long of being made (a rollback may still need one). */
export const SAFETY_MIN_AGE_MS = 24 * 3_600_000;

/**
 * Keep or delete, with a reason, for every safety dump (entries of the safety root's catalog).
 * Per database: the newest SAFETY_KEEP_NEWEST verified ones and everything younger than
 * SAFETY_KEEP_DAYS days stay (whichever keeps more); nothing younger than SAFETY_MIN_AGE_MS or
 * stamped in the future ever goes. Under preset `none` everything is kept. Pure.
 */
export function planSafetyPrune<E extends PrunableEntry>(
  entries: readonly E[],
  policy: RetentionPolicy,
  now: number,
): PruneDecision<E>[] {
  const newest = new Set<E>();
  const bySource = new Map<string, E[]>();
  for (const e of entries) bySource.set(e.sourceKey, [...(bySource.get(e.sourceKey) ?? []), e]);
  for (const group of bySource.values()) {
    for (const e of [...group]
      .sort((a, b) => b.time - a.time)
      .filter((x) => x.verified)
      .slice(0, SAFETY_KEEP_NEWEST))
      newest.add(e);
  }
  return entries.map((e): PruneDecision<E> => {
    const keep = (reason: string): PruneDecision<E> => ({ entry: e, action: 'keep', reason });
    const age = now - e.time;
    if (age < 0) return keep('safety dump: timestamp is in the future (check the clock): kept');
    if (age < SAFETY_MIN_AGE_MS) {
      const hours = Math.floor(age / 3_600_000);
      return keep(`safety dump made ${hours} h ago: never deleted within 24 h (a rollback may still need it)`);
    }
    if (policy.preset === 'none') return keep('safety dump: retention preset none: kept');
    const newestOf = `the ${SAFETY_KEEP_NEWEST} newest verified safety dumps of ${e.sourceKey}`;
    if (newest.has(e)) return keep(`safety dump, ${days(age)} old: one of ${newestOf}`);
    const unverified = e.verified ? '' : 'unverified, ';
    if (age <= SAFETY_KEEP_DAYS * DAY)
      return keep(`safety dump, ${unverified}${days(age)} old: safety dumps are kept ${SAFETY_KEEP_DAYS} days`);
    return {
      entry: e,
      action: 'delete',
      reason: `safety dump, ${unverified}${days(age)} old: past ${SAFETY_KEEP_DAYS} days and not one of ${newestOf}`,
    };
  });
}
