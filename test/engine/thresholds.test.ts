import { describe, expect, it } from 'vitest';
import { mergeRules, type Rule } from '../../src/config/resolve.js';
import {
  classify,
  evaluate,
  exitCodeFor,
  targetOf,
  worstLevel,
  type AlertState,
  type Level,
  type Transition,
} from '../../src/engine/thresholds.js';

const DEFAULTS = mergeRules({}, 'test');
const rule = (metric: string, over: Partial<Rule> = {}): Rule => ({ ...DEFAULTS[metric]!, ...over });
const sample = (metric: string, value: number | null, instance = '') => ({ metric, instance, value, unit: '%' });

/** Feeds samples [time, value] through the engine and returns every state and transition. */
function run(r: Rule, points: [number, number | null][]): { states: AlertState[]; transitions: Transition[] } {
  let state: AlertState | undefined;
  const states: AlertState[] = [];
  const transitions: Transition[] = [];
  for (const [at, value] of points) {
    const ev = evaluate(r, state, sample(r.metric, value), at);
    if (!ev) throw new Error('rule disabled');
    state = ev.state;
    states.push(ev.state);
    if (ev.transition) transitions.push(ev.transition);
  }
  return { states, transitions };
}

describe('documented thresholds (SPEC §1): a value AT a limit is a breach', () => {
  const documented: [string, number, number][] = [
    ['host.cpu', 70, 85],
    ['host.memory', 80, 90],
    ['host.disk', 70, 85],
    ['host.network', 70, 85],
    ['postgres.connections', 80, 90],
  ];
  it('defaults match the manual', () => {
    for (const [metric, warn, crit] of documented) {
      expect(DEFAULTS[metric]).toMatchObject({ warn, crit, direction: 'above', enabled: true });
    }
  });
  const cases = documented.flatMap(
    ([metric, warn, crit]) =>
      [
        [metric, warn - 0.1, 'OK'],
        [metric, warn, 'WARNING'],
        [metric, warn + 0.1, 'WARNING'],
        [metric, crit - 0.1, 'WARNING'],
        [metric, crit, 'CRITICAL'],
        [metric, crit + 0.1, 'CRITICAL'],
      ] as const,
  );
  it.each(cases)('%s = %d → %s', (metric, value, expected) => {
    expect(classify(rule(metric), value)).toBe(expected);
    // With the sustain window satisfied the engine agrees with the one-shot classification.
    const r = rule(metric, { sustain: 0 });
    expect(evaluate(r, undefined, sample(metric, value), 1000)?.state.level).toBe(expected);
  });
});

describe("direction 'below'", () => {
  const cacheHit = rule('postgres.cacheHitRatio', { sustain: 0 }); // warn 95, crit 90
  it.each([
    [95.1, 'OK'],
    [95, 'WARNING'],
    [94.9, 'WARNING'],
    [90.1, 'WARNING'],
    [90, 'CRITICAL'],
    [89.9, 'CRITICAL'],
  ] as const)('cache hit ratio %d → %s', (value, expected) => {
    expect(evaluate(cacheHit, undefined, sample(cacheHit.metric, value), 0)?.state.level).toBe(expected);
  });
  it('reachable 1 is OK and 0 is CRITICAL (warn = crit = 0)', () => {
    const r = rule('redis.reachable');
    expect(classify(r, 1)).toBe('OK');
    expect(classify(r, 0)).toBe('CRITICAL');
  });
});

describe('sustain', () => {
  const cpu = rule('host.cpu', { sustain: 60_000 });

  it('a breach shorter than sustain does not fire', () => {
    const { states, transitions } = run(cpu, [
      [0, 50],
      [10_000, 90],
      [40_000, 90],
      [69_999, 90],
      [70_000, 50],
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    expect(states[1]!.pending).toEqual({ level: 'CRITICAL', since: 10_000 });
    expect(states[4]!.pending).toBeNull();
    expect(transitions).toEqual([]);
  });

  it('a breach that lasts sustain fires, with since = when the breach began', () => {
    const { states, transitions } = run(cpu, [
      [0, 50],
      [10_000, 90],
      [40_000, 91],
      [70_000, 92],
    ]);
    expect(states[3]).toMatchObject({ level: 'CRITICAL', since: 10_000, limit: 85, value: 92, pending: null });
    expect(transitions).toEqual([
      {
        at: 70_000,
        target: 'host',
        metric: 'host.cpu',
        instance: '',
        from: 'OK',
        to: 'CRITICAL',
        value: 92,
        unit: '%',
        since: 10_000,
      },
    ]);
  });

  it('escalation needs its own sustain from when CRITICAL-level values began', () => {
    const { states, transitions } = run(cpu, [
      [0, 75], // warn run starts
      [60_000, 75], // WARNING fires
      [90_000, 88], // crit run starts; still WARNING
      [149_000, 88],
      [150_000, 88], // CRITICAL fires
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'WARNING', 'WARNING', 'WARNING', 'CRITICAL']);
    expect(states[2]!.pending).toEqual({ level: 'CRITICAL', since: 90_000 });
    expect(states[4]!.since).toBe(90_000);
    expect(transitions.map((t) => [t.from, t.to, t.since])).toEqual([
      ['OK', 'WARNING', 0],
      ['WARNING', 'CRITICAL', 90_000],
    ]);
  });

  it('going down is immediate: CRITICAL → WARNING → OK', () => {
    const { states } = run(cpu, [
      [0, 90],
      [60_000, 90],
      [61_000, 75],
      [62_000, 10],
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'CRITICAL', 'WARNING', 'OK']);
    expect(states[2]).toMatchObject({ since: 0, limit: 70 });
    expect(states[3]).toMatchObject({ since: 62_000, limit: null });
  });

  it('a dip under the limit restarts the window', () => {
    const { states } = run(cpu, [
      [0, 90],
      [50_000, 60],
      [55_000, 90],
      [100_000, 90],
      [115_000, 90],
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'OK', 'OK', 'OK', 'CRITICAL']);
    expect(states[4]!.since).toBe(55_000);
  });
});

describe('UNKNOWN', () => {
  it('a null value is UNKNOWN, not OK, and recorded as a transition', () => {
    const { states, transitions } = run(rule('host.memory', { sustain: 0 }), [
      [0, 10],
      [1000, null],
      [2000, 10],
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'UNKNOWN', 'OK']);
    expect(states[1]).toMatchObject({ since: 1000, value: null });
    expect(transitions.map((t) => `${t.from}→${t.to}@${t.at}`)).toEqual(['OK→UNKNOWN@1000', 'UNKNOWN→OK@2000']);
  });

  it('a first observation that is not OK is recorded with from = null; a first OK is not', () => {
    expect(evaluate(rule('host.cpu'), undefined, sample('host.cpu', null), 5)?.transition).toMatchObject({
      from: null,
      to: 'UNKNOWN',
    });
    expect(evaluate(rule('host.cpu'), undefined, sample('host.cpu', 1), 5)?.transition).toBeNull();
  });

  it('no data does not end a breach: CRITICAL → UNKNOWN → CRITICAL keeps its since', () => {
    const { states } = run(rule('postgres.connections', { sustain: 60_000 }), [
      [0, 95],
      [60_000, 95],
      [62_000, null],
      [64_000, 95],
    ]);
    expect(states.map((s) => s.level)).toEqual(['OK', 'CRITICAL', 'UNKNOWN', 'CRITICAL']);
    expect(states[3]!.since).toBe(0);
  });
});

describe('engine housekeeping', () => {
  it('a disabled rule yields nothing', () => {
    expect(evaluate(rule('redis.hitRatio'), undefined, sample('redis.hitRatio', 1), 0)).toBeNull();
  });

  it('an unchanged sample keeps the same state object', () => {
    const r = rule('host.disk');
    const first = evaluate(r, undefined, sample('host.disk', 40, '/'), 0)!.state;
    expect(evaluate(r, first, sample('host.disk', 40, '/'), 1000)!.state).toBe(first);
    expect(evaluate(r, first, sample('host.disk', 41, '/'), 2000)!.state).not.toBe(first);
  });

  it('transitions name the target, metric and instance', () => {
    const ev = evaluate(rule('host.disk'), undefined, sample('host.disk', 99, '/var'), 7);
    expect(ev?.transition).toMatchObject({
      target: 'host',
      metric: 'host.disk',
      instance: '/var',
      to: 'CRITICAL',
      at: 7,
    });
    expect(targetOf('postgres.connections')).toBe('postgres');
  });

  it('worst level and exit codes follow the monitoring-plugin convention', () => {
    const cases: [Level[], Level, number][] = [
      [[], 'OK', 0],
      [['OK', 'OK'], 'OK', 0],
      [['OK', 'UNKNOWN'], 'UNKNOWN', 3],
      [['UNKNOWN', 'WARNING'], 'WARNING', 1],
      [['WARNING', 'CRITICAL', 'UNKNOWN'], 'CRITICAL', 2],
    ];
    for (const [levels, worst, code] of cases) {
      expect(worstLevel(levels)).toBe(worst);
      expect(exitCodeFor(worstLevel(levels))).toBe(code);
    }
  });
});
