// The threshold engine: pure functions that judge one sample against its rule and keep the
// small state a sustain window needs. No I/O, no clock: the caller passes `now`.
//
// Semantics (decided here, documented in the README):
// - A value AT a limit is a breach: `>=` for direction 'above', `<=` for 'below'.
// - Each limit keeps its own run: `warnSince` / `critSince` is when the current unbroken run of
//   samples at or past that limit began. A level fires once its own run has lasted `sustain` ms,
//   so a WARNING that escalates needs CRITICAL-level values for a full `sustain` of their own
//   before CRITICAL fires; until then it stays WARNING with CRITICAL pending.
// - Going down is immediate: a value below a limit ends that limit's run at once, so recovery to
//   OK (and CRITICAL → WARNING) needs no sustain. A flapping metric shows as flapping; hiding a
//   recovery would hide that the operator's fix worked.
// - A null value (or a probe error) is UNKNOWN at once. It does not end a run: "no data" is not
//   evidence that a breach stopped, so a database that times out under load and then answers
//   95 % again is back to CRITICAL at once instead of looking OK for another sustain window.
// - `since` is when the current level's condition began: for a breach, the start of its run
//   (not when it fired); for OK, the first sample back under the limits; for UNKNOWN, the first
//   null sample.
// - Disabled rules yield nothing.
import type { Rule } from '../config/resolve.js';
import type { MetricSample } from '../probes/types.js';

import type { Level } from '../util/level.js';

export type { Level };
export type BreachLevel = 'WARNING' | 'CRITICAL';

/** What the engine remembers about one metric instance between samples. Plain data. */
export interface AlertState {
  level: Level;
  /** When the current level's condition began (see the semantics above). */
  since: number;
  /** The latest sample's value and unit. */
  value: number | null;
  unit: string;
  /** The limit the current level crossed (warn for WARNING, crit for CRITICAL), else null. */
  limit: number | null;
  /** The highest breach seen but not yet sustained long enough to fire, or null. */
  pending: { level: BreachLevel; since: number } | null;
  /** Start of the current run of samples at or past warn / crit; null when not in such a run. */
  warnSince: number | null;
  critSince: number | null;
}

/** One change of level, for the transition log ("what changed"). `from` is null on a first observation. */
export interface Transition {
  at: number;
  target: string;
  metric: string;
  instance: string;
  from: Level | null;
  to: Level;
  value: number | null;
  unit: string;
  /** When the new level's condition began (earlier than `at` when a sustain window elapsed). */
  since: number;
}

export interface Evaluation {
  state: AlertState;
  /** Set when the level changed (or on a first observation that is not OK). */
  transition: Transition | null;
}

/** Rank for "worst": CRITICAL > WARNING > UNKNOWN > OK (a known problem outranks not knowing). */
const RANK: Record<Level, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

/** Monitoring-plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
const EXIT: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** The target a metric id belongs to: `postgres.connections` → `postgres`. */
export function targetOf(metric: string): string {
  const dot = metric.indexOf('.');
  return dot < 0 ? metric : metric.slice(0, dot);
}

/** True when `value` is at or past `limit` in the rule's direction. */
export function breaches(direction: Rule['direction'], value: number, limit: number): boolean {
  return direction === 'below' ? value <= limit : value >= limit;
}

/** The level of one value with no sustain (what a one-shot check reports). */
export function classify(rule: Pick<Rule, 'warn' | 'crit' | 'direction'>, value: number | null): Level {
  if (value === null || Number.isNaN(value)) return 'UNKNOWN';
  if (breaches(rule.direction, value, rule.crit)) return 'CRITICAL';
  if (breaches(rule.direction, value, rule.warn)) return 'WARNING';
  return 'OK';
}

/** Judges one sample against its rule; null when the rule is disabled. Returns `state` itself when nothing changed. */
export function evaluate(
  rule: Rule,
  state: AlertState | undefined,
  sample: MetricSample,
  now: number,
  target = targetOf(sample.metric),
): Evaluation | null {
  if (!rule.enabled) return null;
  const value = sample.value === null || Number.isNaN(sample.value) ? null : sample.value;
  let warnSince = state?.warnSince ?? null;
  let critSince = state?.critSince ?? null;
  if (value !== null) {
    warnSince = breaches(rule.direction, value, rule.warn) ? (warnSince ?? now) : null;
    critSince = breaches(rule.direction, value, rule.crit) ? (critSince ?? now) : null;
  }
  const critFired = critSince !== null && now - critSince >= rule.sustain;
  const warnFired = warnSince !== null && now - warnSince >= rule.sustain;

  let level: Level;
  let conditionSince: number | null;
  let limit: number | null = null;
  if (value === null) {
    level = 'UNKNOWN';
    conditionSince = null;
  } else if (critFired) {
    level = 'CRITICAL';
    conditionSince = critSince;
    limit = rule.crit;
  } else if (warnFired) {
    level = 'WARNING';
    conditionSince = warnSince;
    limit = rule.warn;
  } else {
    level = 'OK';
    conditionSince = null;
  }
  const pending: AlertState['pending'] =
    critSince !== null && !critFired
      ? { level: 'CRITICAL', since: critSince }
      : warnSince !== null && !warnFired
        ? { level: 'WARNING', since: warnSince }
        : null;

  const changed = state === undefined || state.level !== level;
  // OK and UNKNOWN begin with the sample that entered them; a breach level began with its run.
  const since = conditionSince ?? (changed ? now : state.since);

  if (
    state !== undefined &&
    !changed &&
    state.value === value &&
    state.unit === sample.unit &&
    state.since === since &&
    state.limit === limit &&
    state.warnSince === warnSince &&
    state.critSince === critSince &&
    samePending(state.pending, pending)
  ) {
    // Nothing a view shows has changed: keep the object so selectors stay referentially equal.
    return { state, transition: null };
  }

  const next: AlertState = { level, since, value, unit: sample.unit, limit, pending, warnSince, critSince };
  const transition: Transition | null =
    changed && (state !== undefined || level !== 'OK')
      ? {
          at: now,
          target,
          metric: sample.metric,
          instance: sample.instance,
          from: state?.level ?? null,
          to: level,
          value,
          unit: sample.unit,
          since,
        }
      : null;
  return { state: next, transition };
}

function samePending(a: AlertState['pending'], b: AlertState['pending']): boolean {
  if (a === null || b === null) return a === b;
  return a.level === b.level && a.since === b.since;
}

/** The worst of some levels for the header: CRITICAL > WARNING > UNKNOWN > OK; OK when empty. */
export function worstLevel(levels: Iterable<Level>): Level {
  let worst: Level = 'OK';
  for (const level of levels) if (RANK[level] > RANK[worst]) worst = level;
  return worst;
}

/** The process exit code for a worst level (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
export function exitCodeFor(level: Level): number {
  return EXIT[level];
}

/** Orders levels worst first (for sorting rows). */
export function compareLevels(a: Level, b: Level): number {
  return RANK[b] - RANK[a];
}
