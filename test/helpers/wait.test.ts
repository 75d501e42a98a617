// The one way tests wait (test/helpers/wait.ts): it goes on as soon as the state holds, and a
// wait that fails says what it waited for and what it saw last.
import { describe, expect, it } from 'vitest';
import { holdsFor, waitFor, waitForText } from './wait.js';

describe('waitFor', () => {
  it('resolves at once with the value when the probe already holds', async () => {
    let calls = 0;
    const t0 = performance.now();
    const value = await waitFor(() => (calls++, { ready: true }), { timeoutMs: 5000, intervalMs: 1000 });
    expect(value).toEqual({ ready: true });
    expect(calls).toBe(1);
    expect(performance.now() - t0).toBeLessThan(500); // not one interval: no pause before the first look
  });

  it('polls until the probe holds, counting a throw or a falsy value as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('not up yet');
        return calls >= 3 ? calls : 0;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('rejects after the timeout, naming what it waited for, the last error and the last thing seen', async () => {
    const t0 = performance.now();
    await expect(
      waitFor(() => false, { timeoutMs: 50, what: 'the moon to rise', lastSeen: () => 'clouds' }),
    ).rejects.toThrow('timed out after 50 ms waiting for the moon to rise; last seen:\nclouds');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    await expect(
      waitFor(
        () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 20, what: 'the server' },
      ),
    ).rejects.toThrow('timed out after 20 ms waiting for the server (last error: ECONNREFUSED)');
  });
});

describe('waitForText', () => {
  it('resolves with the text once it matches a substring, a regular expression or a predicate', async () => {
    let text = '';
    const grow = () => (text += 'x'); // one more character at every look
    expect(await waitForText(grow, 'xxx', { intervalMs: 1 })).toBe('xxx');
    expect(await waitForText(grow, /x{5}/, { intervalMs: 1 })).toBe('xxxxx');
    expect(
      await waitForText(
        async () => grow(),
        (t) => t.length >= 7,
        { intervalMs: 1 },
      ),
    ).toBe('xxxxxxx');
  });

  it('rejects with what it waited for and the last text it read', async () => {
    await expect(waitForText(() => 'Loading…', 'Ready', { timeoutMs: 30 })).rejects.toThrow(
      'waiting for Ready; last seen:\nLoading…',
    );
    await expect(
      waitForText(async () => 'Loading…', /Ready/, { timeoutMs: 30, what: 'the dashboard' }),
    ).rejects.toThrow('waiting for the dashboard; last seen:\nLoading…');
  });
});

describe('holdsFor', () => {
  it('resolves after the whole period while the condition holds', async () => {
    let looks = 0;
    const t0 = performance.now();
    await holdsFor(60, () => (looks++, true), 'the quiet');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(looks).toBeGreaterThan(2); // it keeps looking, not just at both ends
  });

  it('fails, naming the condition, as soon as it stops holding', async () => {
    let looks = 0;
    const t0 = performance.now();
    await expect(holdsFor(5000, () => ++looks < 3, 'nothing after stop')).rejects.toThrow(
      'nothing after stop stopped holding before 5000 ms had passed',
    );
    expect(looks).toBe(3);
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(holdsFor(50, () => false)).rejects.toThrow('the condition stopped holding');
  });
});
