import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mergeRules } from '../../src/config/resolve.js';
import { nextDelay, startScheduler, type Scheduler } from '../../src/state/scheduler.js';
import { createOpsStore, type OpsStore } from '../../src/state/store.js';
import { waitFor } from '../helpers/wait.js';
import { delay, errResult, fakeProbe, m, okResult, slowOk } from './fakes.js';

const rules = mergeRules({}, 'test');
let store: OpsStore;
let scheduler: Scheduler | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  store = createOpsStore({ rules, origins: { host: 'configured', postgres: 'configured', redis: 'configured' } });
});

afterEach(async () => {
  const stopping = scheduler?.stop();
  if (vi.isFakeTimers()) await vi.runOnlyPendingTimersAsync();
  await stopping;
  scheduler = undefined;
  vi.useRealTimers();
});

const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

describe('scheduler', () => {
  it('never overlaps a slow read with itself', async () => {
    const slow = fakeProbe('postgres', 1000, slowOk(2500, 'postgres.connections', 10));
    scheduler = startScheduler([slow], store, { timeout: 10_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(slow.maxConcurrent).toBe(1);
    // Each read takes 2.5 s and then rests a quarter interval: 2.75 s apart.
    expect(gaps(slow.starts).every((g) => g === 2750)).toBe(true);
    expect(slow.starts.length).toBeGreaterThanOrEqual(7);
  });

  it('a slow probe does not delay a fast one', async () => {
    const slow = fakeProbe('postgres', 1000, slowOk(8000, 'postgres.connections', 10));
    const fast = fakeProbe('host', 1000, slowOk(10, 'host.cpu', 5));
    scheduler = startScheduler([slow, fast], store, { timeout: 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fast.starts.length).toBeGreaterThanOrEqual(10);
    expect(gaps(fast.starts).every((g) => g === 1000)).toBe(true);
    expect(slow.starts.length).toBe(2);
    expect(store.getState().alerts['host.cpu|']?.value).toBe(5);
  });

  it('backs off while a target is down and returns to the interval on the first success', async () => {
    const flaky = fakeProbe('redis', 1000, async (n) =>
      n < 4 || n === 6 ? errResult('unreachable') : okResult([m('redis.memory', 1)]),
    );
    scheduler = startScheduler([flaky], store, { timeout: 500, jitter: 0 });
    await vi.advanceTimersByTimeAsync(40_000);
    // fail ×4: 2, 4, 8, 16 s; success: back to 1 s; one failure: 2 s; then 1 s again.
    expect(gaps(flaky.starts).slice(0, 8)).toEqual([2000, 4000, 8000, 16000, 1000, 1000, 2000, 1000]);
    const t = store.getState().targets.redis!;
    expect(t.failures).toBe(0);
    expect(t.lastOkAt).not.toBeNull();
  });

  it('caps the backoff at 30 s (never below the interval) and jitters it downwards', () => {
    expect(nextDelay(2000, 10, 30_000, 0, () => 0.5)).toBe(30_000);
    expect(nextDelay(60_000, 3, 30_000, 0, () => 0.5)).toBe(60_000);
    expect(nextDelay(2000, 2, 30_000, 0.2, () => 1)).toBe(6400);
    expect(nextDelay(2000, 2, 30_000, 0.2, () => 0)).toBe(8000);
    expect(nextDelay(2000, 0, 30_000, 0.2, () => 1)).toBe(2000);
  });

  it('aborts a read at the timeout and records it', async () => {
    const hang = fakeProbe('postgres', 1000, slowOk(60_000, 'postgres.connections', 1));
    scheduler = startScheduler([hang], store, { timeout: 3000, jitter: 0 });
    await vi.advanceTimersByTimeAsync(3001);
    expect(hang.signals[0]!.aborted).toBe(true);
    const t = store.getState().targets.postgres!;
    expect(t.latest?.error?.kind).toBe('timeout');
    expect(store.getState().alerts['postgres.reachable|']?.level).toBe('CRITICAL');
  });

  it('records a timeout for a probe that ignores its signal, without starting an overlapping read', async () => {
    let release: () => void = () => {};
    const deaf = fakeProbe('redis', 1000, (n) =>
      n === 0
        ? new Promise((resolve) => (release = () => resolve(okResult([m('redis.memory', 1)]))))
        : Promise.resolve(okResult([m('redis.memory', 2)])),
    );
    scheduler = startScheduler([deaf], store, { timeout: 1000, grace: 500, jitter: 0 });
    await vi.advanceTimersByTimeAsync(1500);
    expect(store.getState().targets.redis?.latest?.error?.kind).toBe('timeout');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deaf.starts.length).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(3000);
    expect(deaf.starts.length).toBeGreaterThan(1);
    expect(deaf.maxConcurrent).toBe(1);
  });

  it('stop() aborts in-flight reads, closes probes and records nothing more', async () => {
    const hang = fakeProbe('postgres', 1000, slowOk(60_000, 'postgres.connections', 1));
    const quick = fakeProbe('host', 1000, slowOk(1, 'host.cpu', 1));
    scheduler = startScheduler([hang, quick], store, { timeout: 30_000 });
    await vi.advanceTimersByTimeAsync(2500);
    const before = store.getState();
    await scheduler.stop();
    expect(hang.signals[0]!.aborted).toBe(true);
    expect(hang.closed && quick.closed).toBe(true);
    const reads = quick.starts.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(quick.starts.length).toBe(reads);
    expect(store.getState()).toBe(before);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refreshNow() reads idle probes at once and leaves busy ones alone', async () => {
    const idle = fakeProbe('host', 60_000, slowOk(1, 'host.cpu', 1));
    const busy = fakeProbe('postgres', 60_000, slowOk(5000, 'postgres.connections', 1));
    scheduler = startScheduler([idle, busy], store, { timeout: 10_000 });
    await vi.advanceTimersByTimeAsync(100);
    scheduler.refreshNow();
    await vi.advanceTimersByTimeAsync(100);
    expect(idle.starts.length).toBe(2);
    expect(busy.starts.length).toBe(1);
    expect(busy.maxConcurrent).toBe(1);
  });

  it('keeps polling when a probe throws (it should not)', async () => {
    const bad = fakeProbe('host', 1000, async (n) => {
      if (n === 0) throw new Error('boom');
      await delay(1);
      return okResult([m('host.cpu', 1)]);
    });
    scheduler = startScheduler([bad], store, { timeout: 1000, jitter: 0 });
    await vi.advanceTimersByTimeAsync(4000);
    expect(bad.starts.length).toBeGreaterThan(1);
    expect(store.getState().targets.host?.latest?.ok).toBe(true);
  });
});

describe('scheduler with real timers', () => {
  it("unref: each timer it makes is unref'd when asked, so polling alone does not keep the process alive", async () => {
    vi.useRealTimers();
    const made: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      if (new Error().stack?.includes('src/state/scheduler.ts')) made.push(t);
      return t;
    }) as typeof setTimeout);
    const p = fakeProbe('host', 20, async () => okResult([m('host.cpu', 1)]));
    const s = startScheduler([p], createOpsStore({ rules }), { timeout: 1000, unref: true });
    try {
      await waitFor(() => p.starts.length >= 3, {
        timeoutMs: 2000,
        intervalMs: 5,
        what: 'three reads',
        lastSeen: () => `${p.starts.length} reads`,
      });
      expect(made.length).toBeGreaterThanOrEqual(6);
      expect(made.filter((t) => t.hasRef())).toEqual([]);
    } finally {
      spy.mockRestore();
      await s.stop();
    }
  });
});
