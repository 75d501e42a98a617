// Polling outside React: one setTimeout chain per probe, so a slow probe never delays another and
// a read never overlaps itself. Each read gets an AbortSignal and a deadline; a target that is
// down is retried with exponential backoff (with jitter, so several consoles on one host do not
// hit a recovering database in step) and returns to its normal interval on the first success.
import type { Probe, ProbeResult } from '../probes/types.js';
import type { OpsStore } from './store.js';

export interface SchedulerOptions {
  /** Per-read deadline in ms (the config's probeTimeout). */
  timeout: number;
  /** Longest pause between retries of a failing target; never shorter than the probe's interval. */
  maxBackoff?: number;
  /** Fraction of each backoff delay removed at random (0 = none). */
  jitter?: number;
  /** Unref timers so polling alone does not keep the process alive. */
  unref?: boolean;
  /** Extra time a probe gets to honour its abort before the scheduler records a timeout itself. */
  grace?: number;
  /** Called with an unexpected error from recording a result; polling continues. */
  onError?: (err: unknown) => void;
  /** Injected clock and randomness for tests. */
  now?: () => number;
  random?: () => number;
}

export interface Scheduler {
  /** Aborts in-flight reads, clears timers, waits for reads to settle and closes every probe. */
  stop(): Promise<void>;
  /** Reads every idle probe now (a probe already reading is left alone: its answer is on the way). */
  refreshNow(): void;
}

/** The delay before the next read: the interval while healthy, interval × 2^failures (capped, jittered) while down. */
export function nextDelay(
  interval: number,
  failures: number,
  maxBackoff: number,
  jitter: number,
  random: () => number,
): number {
  if (failures === 0) return interval;
  const cap = Math.max(interval, maxBackoff);
  const base = Math.min(interval * 2 ** Math.min(failures, 30), cap);
  return Math.round(base * (1 - jitter * random()));
}

/** Starts one polling loop per probe, writing every result to `store`; the first reads start at once. */
export function startScheduler(probes: Probe[], store: OpsStore, opts: SchedulerOptions): Scheduler {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const maxBackoff = opts.maxBackoff ?? 30_000;
  const jitter = opts.jitter ?? 0.2;
  const grace = opts.grace ?? 1000;
  let stopped = false;
  const loops = probes.map((probe) => pollLoop(probe));

  function pollLoop(probe: Probe) {
    let timer: NodeJS.Timeout | null = null;
    // `busy` covers a whole read, including waiting out a probe that ignored its abort.
    let busy = false;
    let current: BoundedRead | null = null;
    let failures = 0;

    const schedule = (delay: number) => {
      if (stopped) return;
      timer = setTimeout(tick, Math.max(0, delay));
      if (opts.unref) timer.unref();
    };

    const tick = () => {
      timer = null;
      if (stopped || busy) return;
      busy = true;
      readAndRecord()
        .catch((err: unknown) => {
          // A bug past the probe boundary (e.g. in the store) must not end polling for good.
          opts.onError?.(err);
          schedule(probe.interval);
        })
        .finally(() => {
          busy = false;
        });
    };

    const readAndRecord = async () => {
      const started = now();
      const read = boundedRead(probe, { timeout: opts.timeout, grace, unref: opts.unref === true, now });
      current = read;
      const result = await read.result;
      current = null;
      if (stopped) return;
      store.getState().applyResult(probe.id, result, now());
      failures = result.ok ? 0 : failures + 1;
      // A probe that ignored its abort got its timeout recorded above; start no new read until
      // the hung one settles, so reads of one probe never overlap.
      await read.settled;
      // Healthy: keep the cadence from the start of the read, but rest at least a quarter
      // interval so a read slower than its interval does not hammer a struggling service.
      const healthy = Math.max(probe.interval - (now() - started), probe.interval / 4);
      schedule(failures === 0 ? healthy : nextDelay(probe.interval, failures, maxBackoff, jitter, random));
    };

    return {
      start: tick,
      refresh: () => {
        if (stopped || busy) return;
        if (timer) clearTimeout(timer);
        tick();
      },
      stop: async () => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (current) {
          current.cancel();
          await current.result;
        }
      },
    };
  }

  for (const loop of loops) loop.start();

  return {
    refreshNow: () => {
      for (const loop of loops) loop.refresh();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all(loops.map((l) => l.stop()));
      await Promise.allSettled(probes.map((p) => p.close()));
    },
  };
}

export interface BoundedRead {
  /** Settles by timeout + grace at the latest: the probe's own result or a timeout failure. Never rejects. */
  result: Promise<ProbeResult<unknown>>;
  /** Settles when the probe's read itself settles (later than `result` if the probe ignored its abort). */
  settled: Promise<unknown>;
  /** Aborts the read and settles `result` at once (used on shutdown). */
  cancel(): void;
}

/**
 * One read under an abort at `timeout` and a hard deadline at `timeout + grace`, for probes that
 * ignore their signal.
 */
export function boundedRead(
  probe: Probe,
  opts: { timeout: number; grace: number; unref?: boolean; now?: () => number },
): BoundedRead {
  const now = opts.now ?? Date.now;
  const started = now();
  const ac = new AbortController();
  const settled = safeRead(probe, ac.signal, started, now);
  let expire: (why: string) => void = () => {};
  const deadline = new Promise<ProbeResult<unknown>>((resolve) => {
    expire = (why) => resolve(failure(started, now(), 'timeout', why));
  });
  const abortTimer = setTimeout(() => ac.abort(new Error(`no answer within ${opts.timeout} ms`)), opts.timeout);
  const hardTimer = setTimeout(() => expire(`no answer within ${opts.timeout} ms`), opts.timeout + opts.grace);
  if (opts.unref) {
    abortTimer.unref();
    hardTimer.unref();
  }
  const result = Promise.race([settled, deadline]).finally(() => {
    clearTimeout(abortTimer);
    clearTimeout(hardTimer);
  });
  return {
    result,
    settled,
    cancel: () => {
      ac.abort(new Error('read cancelled'));
      expire('read cancelled');
    },
  };
}

/** A read that never rejects: a probe that throws (it should not) becomes a protocol error. */
async function safeRead(
  probe: Probe,
  signal: AbortSignal,
  started: number,
  now: () => number,
): Promise<ProbeResult<unknown>> {
  try {
    return await probe.read(signal);
  } catch (err) {
    return failure(started, now(), 'protocol', `probe failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function failure(at: number, end: number, kind: 'timeout' | 'protocol', message: string): ProbeResult<unknown> {
  return { ok: false, at, latencyMs: end - at, error: { kind, message }, metrics: [] };
}
