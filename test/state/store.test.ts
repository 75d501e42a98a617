import { describe, expect, it } from 'vitest';
import { mergeRules } from '../../src/config/resolve.js';
import {
  createOpsStore,
  selectExitCode,
  selectIsStale,
  selectTargetLevel,
  selectWorstLevel,
} from '../../src/state/store.js';
import { errResult, m, okResult } from './fakes.js';

const rules = mergeRules({ 'host.cpu': { sustain: 0 }, 'postgres.connections': { sustain: 0 } }, 'test');
const origins = { host: 'configured', postgres: 'configured', redis: 'discovered', docker: 'not_configured' } as const;
const make = (over: Partial<Parameters<typeof createOpsStore>[0]> = {}) => createOpsStore({ rules, origins, ...over });

describe('ops store', () => {
  it('gives each factory call its own state', () => {
    const a = make();
    const b = make();
    a.getState().applyResult('host', okResult([m('host.cpu', 10)], 0), 0);
    expect(b.getState().alerts).toEqual({});
  });

  it('keeps a bounded history per metric key, oldest dropped first', () => {
    const store = make({ historyLength: 10 });
    for (let i = 0; i < 25; i++)
      store.getState().applyResult('host', okResult([m('host.cpu', i), m('host.disk', i, '/')], i * 1000), i * 1000);
    const h = store.getState().history['host.cpu|']!;
    expect(h.values).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(h.times[0]).toBe(15_000);
    expect(h.times).toHaveLength(10);
    expect(store.getState().history['host.disk|/']!.values).toHaveLength(10);
  });

  it('keeps the last good reading and lastOkAt while a target fails', () => {
    const store = make();
    store.getState().applyResult('postgres', okResult([m('postgres.connections', 20)], 1000, { version: '16' }), 1000);
    store.getState().applyResult('postgres', errResult('unreachable', 3000), 3000);
    store.getState().applyResult('postgres', errResult('unreachable', 5000), 5000);
    const t = store.getState().targets.postgres!;
    expect(t.lastOkAt).toBe(1000);
    expect(t.lastOk?.reading).toEqual({ version: '16' });
    expect(t.latest).toMatchObject({ ok: false, at: 5000, error: { kind: 'unreachable' } });
    expect(t.failures).toBe(2);
    expect(selectIsStale(store.getState(), 'postgres', 5000, 3000)).toBe(true);
    expect(selectIsStale(store.getState(), 'postgres', 1500, 3000)).toBe(false);
  });

  it('on error: metrics become UNKNOWN and reachable CRITICAL for unreachable/timeout/auth', () => {
    for (const kind of ['unreachable', 'timeout', 'auth'] as const) {
      const store = make();
      store.getState().applyResult('postgres', okResult([m('postgres.connections', 20)], 0), 0);
      expect(store.getState().alerts['postgres.reachable|']?.level).toBe('OK');
      store.getState().applyResult('postgres', errResult(kind, 1000), 1000);
      const a = store.getState().alerts;
      expect(a['postgres.connections|']).toMatchObject({ level: 'UNKNOWN', value: null });
      expect(a['postgres.reachable|']).toMatchObject({ level: 'CRITICAL', value: 0 });
      expect(selectExitCode(store.getState())).toBe(2);
    }
  });

  it('on a protocol error the target answered: reachable is UNKNOWN, not CRITICAL', () => {
    const store = make();
    store.getState().applyResult('redis', errResult('protocol', 0), 0);
    expect(store.getState().alerts['redis.reachable|']?.level).toBe('UNKNOWN');
    expect(selectWorstLevel(store.getState())).toBe('UNKNOWN');
  });

  it('a target failing before its first good read shows its rules as UNKNOWN placeholders, replaced on success', () => {
    const store = make();
    store.getState().applyResult('redis', errResult('timeout', 0), 0);
    const keys = Object.keys(store.getState().alerts).sort();
    expect(keys).toContain('redis.memory|');
    expect(keys).not.toContain('redis.hitRatio|'); // disabled by default
    expect(store.getState().alerts['redis.memory|']).toMatchObject({ level: 'UNKNOWN', sampled: false });
    store.getState().applyResult('redis', okResult([m('redis.memory', 5), m('redis.clients', 1)], 1000), 1000);
    expect(Object.keys(store.getState().alerts).sort()).toEqual([
      'redis.clients|',
      'redis.memory|',
      'redis.reachable|',
    ]);
    expect(store.getState().alerts['redis.reachable|']).toMatchObject({ level: 'OK', since: 1000 });
  });

  it('drops metric instances a good read no longer lists (a removed container), history included', () => {
    const store = make({ origins: { docker: 'configured' } });
    store
      .getState()
      .applyResult(
        'docker',
        okResult([m('docker.restarts', 0, 'app', 'count'), m('docker.restarts', 12, 'old', 'count')], 0),
        0,
      );
    expect(selectWorstLevel(store.getState())).toBe('CRITICAL');
    store.getState().applyResult('docker', okResult([m('docker.restarts', 0, 'app', 'count')], 1000), 1000);
    expect(Object.keys(store.getState().alerts).sort()).toEqual(['docker.reachable|', 'docker.restarts|app']);
    expect(store.getState().history['docker.restarts|old']).toBeUndefined();
    expect(selectWorstLevel(store.getState())).toBe('OK');
  });

  it('bounds the transition log', () => {
    const store = make({ transitionLimit: 5 });
    for (let i = 0; i < 20; i++) store.getState().applyResult('host', okResult([m('host.cpu', i % 2 ? 99 : 1)], i), i);
    const log = store.getState().transitions;
    expect(log).toHaveLength(5);
    expect(log.at(-1)).toMatchObject({
      at: 19,
      target: 'host',
      metric: 'host.cpu',
      from: 'OK',
      to: 'CRITICAL',
      value: 99,
    });
  });

  it('keeps object identity for slices that did not change', () => {
    const store = make();
    store.getState().applyResult('host', okResult([m('host.cpu', 10), m('host.disk', 40, '/')], 0), 0);
    store.getState().applyResult('postgres', okResult([m('postgres.connections', 20)], 0), 0);
    const before = store.getState();
    store.getState().applyResult('host', okResult([m('host.cpu', 12), m('host.disk', 40, '/')], 2000), 2000);
    const after = store.getState();
    expect(after.targets.postgres).toBe(before.targets.postgres);
    expect(after.targets.host).not.toBe(before.targets.host);
    expect(after.alerts['postgres.connections|']).toBe(before.alerts['postgres.connections|']);
    expect(after.alerts['host.disk|/']).toBe(before.alerts['host.disk|/']);
    expect(after.alerts['host.cpu|']).not.toBe(before.alerts['host.cpu|']);
    expect(after.history['postgres.connections|']).toBe(before.history['postgres.connections|']);
    expect(after.transitions).toBe(before.transitions);
    expect(after.rules).toBe(before.rules);

    // A read that changes no alert leaves the whole alerts record as it was.
    store.getState().applyResult('postgres', okResult([m('postgres.connections', 20)], 4000), 4000);
    expect(store.getState().alerts).toBe(after.alerts);
    let calls = 0;
    const unsubscribe = store.subscribe((s, prev) => {
      if (selectWorstLevel(s) !== selectWorstLevel(prev)) calls += 1;
    });
    store.getState().applyResult('host', okResult([m('host.cpu', 11), m('host.disk', 40, '/')], 6000), 6000);
    unsubscribe();
    expect(calls).toBe(0);
  });

  it('does not judge targets that are not configured', () => {
    const store = make();
    store.getState().applyResult('docker', errResult('unreachable', 0), 0);
    expect(store.getState().alerts).toEqual({});
    expect(store.getState().targets.docker?.latest?.ok).toBe(false);
    expect(selectWorstLevel(store.getState())).toBe('OK');
  });

  it('selects the worst level per target and overall', () => {
    const store = make();
    store.getState().applyResult('host', okResult([m('host.cpu', 75), m('host.disk', 10, '/')], 0), 0);
    store.getState().applyResult('postgres', okResult([m('postgres.connections', 95)], 0), 0);
    const s = store.getState();
    expect(selectTargetLevel(s, 'host')).toBe('WARNING');
    expect(selectTargetLevel(s, 'postgres')).toBe('CRITICAL');
    expect(selectWorstLevel(s)).toBe('CRITICAL');
  });

  it('setReadOnly and setOrigin change only their slice', () => {
    const store = make();
    const targets = store.getState().targets;
    store.getState().setReadOnly(true);
    expect(store.getState().readOnly).toBe(true);
    expect(store.getState().targets).toBe(targets);
    store.getState().setOrigin('postgres', 'configured');
    expect(store.getState().targets).toBe(targets);
    store.getState().setOrigin('docker', 'discovered');
    expect(store.getState().targets.docker?.origin).toBe('discovered');
    expect(store.getState().targets.host).toBe(targets.host);
  });
});
