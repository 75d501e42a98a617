// The one way tests wait: poll a condition until it holds, then go on at once; fail with what was
// awaited and the last thing seen. No test sleeps for a state. A pause that shows something does
// NOT happen uses `holdsFor`, whose length the caller picks as at least three times the period
// of what it guards.

export interface WaitOptions {
  /** Give up after this long (ms). Default 5000. */
  timeoutMs?: number;
  /** Time between polls (ms). Default 10. */
  intervalMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
  /** Adds the last thing seen to the failure message (a frame, a screen). */
  lastSeen?: () => string;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a probe returns once it holds: `ok && value` resolves with the value, not `false`. */
type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Resolves with `probe()`'s value as soon as it is truthy (a function returning a boolean, a
 * value or a promise of one); a probe that throws counts as not yet. Rejects after the timeout.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const seen = opts.lastSeen ? `; last seen:\n${opts.lastSeen()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}${why}${seen}`);
    }
    await pause(opts.intervalMs ?? 10);
  }
}

/**
 * Waits for a text to match: a substring, a regular expression or a predicate. Resolves with the
 * matching text. `read` may be async (logs fetched from an engine); the failure message shows the
 * last text read unless `lastSeen` says otherwise.
 */
export async function waitForText(
  read: () => string | Promise<string>,
  test: string | RegExp | ((text: string) => boolean),
  opts: WaitOptions = {},
): Promise<string> {
  const ok =
    typeof test === 'string'
      ? (t: string) => t.includes(test)
      : test instanceof RegExp
        ? (t: string) => test.test(t)
        : test;
  let matched = '';
  await waitFor(
    async () => {
      matched = await read();
      return ok(matched);
    },
    { what: String(test), lastSeen: () => matched, ...opts },
  );
  return matched;
}

/**
 * Checks that `condition` stays true for `ms` (polled), for tests that show something does NOT
 * happen. Pick `ms` as at least three times the period of what it guards.
 */
export async function holdsFor(ms: number, condition: () => boolean, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!condition()) throw new Error(`${what} stopped holding before ${ms} ms had passed`);
    await pause(Math.min(10, Math.max(1, end - Date.now())));
  }
  if (!condition()) throw new Error(`${what} stopped holding before ${ms} ms had passed`);
}
