import { describe, expect, it } from 'vitest';
import { classifyError, runBounded, sanitizeMessage } from '../../src/probes/boundary.js';
import { ProbeFailure } from '../../src/probes/types.js';
import { holdsFor, waitFor } from '../helpers/wait.js';

const ctx = { what: 'Thing at 127.0.0.1:1' };
const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('runBounded', () => {
  it('returns the reading, metrics, at and latency on success', async () => {
    const before = Date.now();
    const r = await runBounded(undefined, { context: ctx }, async () => ({ reading: { x: 1 }, metrics: [] }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.reading).toEqual({ x: 1 });
    expect(r.at).toBeGreaterThanOrEqual(before);
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('turns a throw into a typed error with failure metrics and never rejects', async () => {
    const r = await runBounded(
      undefined,
      {
        context: ctx,
        failureMetrics: (e) => [
          { metric: 'x.reachable', instance: '', value: e.kind === 'unreachable' ? 0 : null, unit: 'count' },
        ],
      },
      async () => {
        throw errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1');
      },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('unreachable');
      expect(r.error.message).toMatch(/^Thing at 127\.0\.0\.1:1: connection refused; /);
    }
    expect(r.metrics).toEqual([{ metric: 'x.reachable', instance: '', value: 0, unit: 'count' }]);
  });

  it('gives up on a hung read at the timeout and aborts its signal', async () => {
    let inner: AbortSignal | undefined;
    const t0 = performance.now();
    const r = await runBounded(undefined, { context: ctx, timeoutMs: 200 }, (signal) => {
      inner = signal;
      return new Promise<never>(() => undefined);
    });
    const took = performance.now() - t0;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1000);
    expect(inner?.aborted).toBe(true);
  });

  it('resolves promptly when the caller aborts', async () => {
    const outer = new AbortController();
    setTimeout(() => outer.abort(), 20);
    const r = await runBounded(
      outer.signal,
      { context: ctx, timeoutMs: 10_000 },
      () => new Promise<never>(() => undefined),
    );
    expect(r.ok).toBe(false);
    expect(r.latencyMs).toBeLessThan(2000);
  });

  it('swallows a late rejection of an abandoned read', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      let rejected = false;
      const late = (): Promise<never> =>
        new Promise((_, reject) =>
          setTimeout(() => {
            rejected = true;
            reject(new Error('late'));
          }, 100),
        );
      const r = await runBounded(undefined, { context: ctx, timeoutMs: 50 }, late);
      expect(r.ok).toBe(false);
      await waitFor(() => rejected, { what: 'the abandoned read to reject' });
      // Node reports an unhandled rejection within an event-loop turn of it; 50 ms is many turns.
      await holdsFor(50, () => unhandled.length === 0, 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('classifyError', () => {
  it.each([
    [new ProbeFailure('auth', 'nope'), 'auth'],
    [errno('ENOENT', 'connect ENOENT /var/run/docker.sock'), 'unreachable'],
    [errno('EHOSTUNREACH'), 'unreachable'],
    [errno('ETIMEDOUT'), 'timeout'],
    [Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'timeout'],
    [errno('28P01', 'password authentication failed for user "x"'), 'auth'],
    [new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'auth'],
    [new Error('NOAUTH Authentication required.'), 'auth'],
    [errno('EACCES', 'connect EACCES /var/run/docker.sock'), 'auth'],
    [new Error('unexpected garbage'), 'protocol'],
    ['a string', 'protocol'],
  ] as const)('%s → %s', (err, kind) => {
    expect(classifyError(err, ctx).kind).toBe(kind);
  });

  it('adds a hint for the kind and masks the known secrets', () => {
    const e = classifyError(new Error('bad password hunter2\nsecond line'), {
      what: 'DB',
      secrets: ['hunter2'],
      hints: { protocol: 'check the DB' },
    });
    expect(e.message).toBe('DB: bad password *** second line; check the DB');
  });
});

describe('sanitizeMessage', () => {
  it('strips credentials from URLs and keeps one line', () => {
    expect(sanitizeMessage('cannot reach postgres://app:s3cr%40t@db:5432/x\n  at foo')).toBe(
      'cannot reach postgres://app:***@db:5432/x at foo',
    );
    expect(sanitizeMessage('redis://:pw@127.0.0.1:6379 down')).toBe('redis://:***@127.0.0.1:6379 down');
  });
});
