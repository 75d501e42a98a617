// The console's state: one zustand vanilla store of plain data (no clients, no JSX), built by a
// factory so each test and each `status` run gets its own. Probes write to it only through
// `applyResult`; views read single slices. Every update copies only what changed, so a view that
// selects one target, one alert or one history keeps the same object (and does not re-render)
// when something else changed.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Rule, TargetOrigin } from '../config/resolve.js';
import {
  evaluate,
  exitCodeFor,
  worstLevel,
  type AlertState,
  type Level,
  type Transition,
} from '../engine/thresholds.js';
import type { MetricSample, ProbeError, ProbeResult } from '../probes/types.js';

/** One target's reads: the latest outcome next to the last good reading, so a view can say "stale". */
export interface TargetState {
  id: string;
  origin: TargetOrigin;
  /** The latest read, good or bad; null before the first read. */
  latest: { ok: boolean; at: number; latencyMs: number; error: ProbeError | null } | null;
  /** The last good reading (kept while the target is failing). */
  lastOk: { at: number; latencyMs: number; reading: unknown } | null;
  lastOkAt: number | null;
  /** Consecutive failed reads (0 when the latest read was good). */
  failures: number;
}

/** Recent samples of one metric key, oldest first, at most `historyLength` long. */
export interface MetricHistory {
  values: (number | null)[];
  times: number[];
  unit: string;
}

/** The alert state of one metric key plus where it comes from. */
export interface AlertEntry extends AlertState {
  target: string;
  metric: string;
  instance: string;
  /** False for a placeholder made because the target failed before it ever reported this metric. */
  sampled: boolean;
}

export interface OpsData {
  readOnly: boolean;
  rules: Record<string, Rule>;
  historyLength: number;
  transitionLimit: number;
  targets: Record<string, TargetState>;
  /** Keyed by `metric|instance` (see metricKey). */
  history: Record<string, MetricHistory>;
  alerts: Record<string, AlertEntry>;
  /** Level changes, oldest first, at most `transitionLimit` long. */
  transitions: Transition[];
}

export interface OpsActions {
  /** Records one probe result for `targetId` at `now` and runs the threshold engine over it. */
  applyResult(targetId: string, result: ProbeResult<unknown>, now: number): void;
  setReadOnly(readOnly: boolean): void;
  setOrigin(targetId: string, origin: TargetOrigin): void;
}

export type OpsState = OpsData & OpsActions;
export type OpsStore = StoreApi<OpsState>;

export interface OpsStoreOptions {
  rules: Record<string, Rule>;
  historyLength?: number;
  transitionLimit?: number;
  origins?: Partial<Record<string, TargetOrigin>>;
  readOnly?: boolean;
}

/** Errors that mean "the service is not answering us": `<target>.reachable` becomes 0. */
const DOWN_KINDS = new Set<ProbeError['kind']>(['unreachable', 'timeout', 'auth']);

/** The key of one metric instance in `history` and `alerts`. */
export function metricKey(metric: string, instance: string): string {
  return `${metric}|${instance}`;
}

/**
 * Builds a fresh store; `origins` seeds the target list (not_configured and disabled targets are
 * shown but never judged).
 */
export function createOpsStore(opts: OpsStoreOptions): OpsStore {
  const targets: Record<string, TargetState> = {};
  for (const [id, origin] of Object.entries(opts.origins ?? {})) {
    if (origin) targets[id] = { id, origin, latest: null, lastOk: null, lastOkAt: null, failures: 0 };
  }
  return createStore<OpsState>()((set, get) => ({
    readOnly: opts.readOnly ?? false,
    rules: opts.rules,
    historyLength: opts.historyLength ?? 300,
    transitionLimit: opts.transitionLimit ?? 1000,
    targets,
    history: {},
    alerts: {},
    transitions: [],
    applyResult: (targetId, result, now) => set(reduceResult(get(), targetId, result, now)),
    setReadOnly: (readOnly) => set({ readOnly }),
    setOrigin: (targetId, origin) => {
      const prev = get().targets[targetId];
      if (prev?.origin === origin) return;
      const next: TargetState = prev
        ? { ...prev, origin }
        : { id: targetId, origin, latest: null, lastOk: null, lastOkAt: null, failures: 0 };
      set({ targets: { ...get().targets, [targetId]: next } });
    },
  }));
}

/** The pure core of applyResult: the slices that change, each a new object only if it changed. */
export function reduceResult(
  s: OpsData,
  targetId: string,
  result: ProbeResult<unknown>,
  now: number,
): Partial<OpsData> {
  const prevTarget = s.targets[targetId];
  const target: TargetState = {
    id: targetId,
    origin: prevTarget?.origin ?? 'configured',
    latest: { ok: result.ok, at: result.at, latencyMs: result.latencyMs, error: result.ok ? null : result.error },
    lastOk: result.ok
      ? { at: result.at, latencyMs: result.latencyMs, reading: result.reading }
      : (prevTarget?.lastOk ?? null),
    lastOkAt: result.ok ? result.at : (prevTarget?.lastOkAt ?? null),
    failures: result.ok ? 0 : (prevTarget?.failures ?? 0) + 1,
  };
  const out: Partial<OpsData> = { targets: { ...s.targets, [targetId]: target } };
  if (target.origin === 'not_configured' || target.origin === 'disabled') return out;
  if (!result.ok && result.error.kind === 'not_configured') return out;

  const samples = result.ok
    ? okSamples(s, targetId, result.metrics)
    : errorSamples(s, targetId, result.metrics, result.error);
  let alerts = s.alerts;
  let history = s.history;
  const transitions: Transition[] = [];
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = metricKey(sample.metric, sample.instance);
    seen.add(key);
    const h = history[key];
    const nextH = pushHistory(h, sample, now, s.historyLength);
    if (history === s.history) history = { ...s.history };
    history[key] = nextH;

    const rule = s.rules[sample.metric];
    if (!rule) continue;
    const prev = alerts[key];
    const ev = evaluate(rule, prev, sample, now, targetId);
    if (!ev) continue;
    if (ev.transition) transitions.push(ev.transition);
    const sampled = result.ok || (prev?.sampled ?? result.metrics.includes(sample));
    if (ev.state === prev && prev.sampled === sampled) continue;
    if (alerts === s.alerts) alerts = { ...s.alerts };
    alerts[key] = { ...ev.state, target: targetId, metric: sample.metric, instance: sample.instance, sampled };
  }
  if (result.ok) {
    // A good read lists every metric instance the target has now: a removed container or an
    // unmounted disk drops out (with its history, so churn cannot grow the store), and
    // placeholders made while the target was failing give way to the real samples.
    for (const [key, a] of Object.entries(alerts)) {
      if (a.target !== targetId || seen.has(key)) continue;
      if (alerts === s.alerts) alerts = { ...s.alerts };
      delete alerts[key];
      if (history[key]) {
        if (history === s.history) history = { ...s.history };
        delete history[key];
      }
    }
  }
  if (alerts !== s.alerts) out.alerts = alerts;
  if (history !== s.history) out.history = history;
  if (transitions.length > 0) out.transitions = [...s.transitions, ...transitions].slice(-s.transitionLimit);
  return out;
}

/** A good read means the target answered: `<target>.reachable` is 1 even if the probe did not say so. */
function okSamples(s: OpsData, targetId: string, reported: MetricSample[]): MetricSample[] {
  const reachable = `${targetId}.reachable`;
  if (!s.rules[reachable] || reported.some((m) => m.metric === reachable)) return reported;
  return [...reported, { metric: reachable, instance: '', value: 1, unit: 'count' }];
}

/** On a failed read every metric of the target becomes UNKNOWN, and `<target>.reachable` says whether it answered. */
function errorSamples(s: OpsData, targetId: string, reported: MetricSample[], error: ProbeError): MetricSample[] {
  const reachable = `${targetId}.reachable`;
  // The store, not each probe, decides what an error kind means for reachability, so every
  // target follows one rule: unreachable/timeout/auth → 0 (CRITICAL), anything else → UNKNOWN.
  const samples = reported.filter((m) => m.metric !== reachable);
  const have = new Set(samples.map((m) => metricKey(m.metric, m.instance)));
  const add = (metric: string, instance: string, value: number | null, unit: string) => {
    const key = metricKey(metric, instance);
    if (have.has(key)) return;
    have.add(key);
    samples.push({ metric, instance, value, unit });
  };
  if (s.rules[reachable]) add(reachable, '', DOWN_KINDS.has(error.kind) ? 0 : null, 'count');
  let known = false;
  for (const a of Object.values(s.alerts)) {
    if (a.target !== targetId || a.metric === reachable) continue;
    known = true;
    add(a.metric, a.instance, null, a.unit);
  }
  if (!known) {
    // Never read successfully: show each enabled rule of the target as UNKNOWN rather than nothing.
    for (const rule of Object.values(s.rules)) {
      if (rule.enabled && rule.metric !== reachable && rule.metric.startsWith(`${targetId}.`))
        add(rule.metric, '', null, '');
    }
  }
  return samples;
}

function pushHistory(h: MetricHistory | undefined, sample: MetricSample, now: number, cap: number): MetricHistory {
  if (!h) return { values: [sample.value], times: [now], unit: sample.unit };
  // Ring-buffer semantics on immutable arrays: drop the oldest once full. Copying a few hundred
  // numbers per sample is cheap and keeps every snapshot a snapshot.
  const drop = h.values.length >= cap ? h.values.length - cap + 1 : 0;
  const values = h.values.slice(drop);
  const times = h.times.slice(drop);
  values.push(sample.value);
  times.push(now);
  return { values, times, unit: sample.unit };
}

/** True when the target's alerts count towards the worst level (configured, from the environment or discovered). */
export function isJudged(s: Pick<OpsData, 'targets'>, targetId: string): boolean {
  const origin = s.targets[targetId]?.origin;
  return origin !== 'not_configured' && origin !== 'disabled';
}

/** The worst alert level over judged targets (a primitive, safe to select directly). */
export function selectWorstLevel(s: Pick<OpsData, 'alerts' | 'targets'>): Level {
  const levels: Level[] = [];
  for (const a of Object.values(s.alerts)) if (isJudged(s, a.target)) levels.push(a.level);
  return worstLevel(levels);
}

/** The worst alert level of one target. */
export function selectTargetLevel(s: Pick<OpsData, 'alerts'>, targetId: string): Level {
  const levels: Level[] = [];
  for (const a of Object.values(s.alerts)) if (a.target === targetId) levels.push(a.level);
  return worstLevel(levels);
}

/** The exit code for the current worst level (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
export function selectExitCode(s: Pick<OpsData, 'alerts' | 'targets'>): number {
  return exitCodeFor(selectWorstLevel(s));
}

/** True when the target has no good reading newer than `maxAgeMs` (its data on screen is old). */
export function selectIsStale(s: Pick<OpsData, 'targets'>, targetId: string, now: number, maxAgeMs: number): boolean {
  const t = s.targets[targetId];
  if (!t || t.latest === null) return false;
  return t.lastOkAt === null || now - t.lastOkAt > maxAgeMs;
}
