// Small fake probes for the state and CLI tests: no services, just the Probe contract.
import type { MetricSample, Probe, ProbeErrorKind, ProbeResult } from '../../src/probes/types.js';

export function okResult(metrics: MetricSample[], at = Date.now(), reading: unknown = {}): ProbeResult<unknown> {
  return { ok: true, at, latencyMs: 1, reading, metrics };
}

export function errResult(kind: ProbeErrorKind, at = Date.now(), metrics: MetricSample[] = []): ProbeResult<unknown> {
  return { ok: false, at, latencyMs: 1, error: { kind, message: `fake ${kind}` }, metrics };
}

export function m(metric: string, value: number | null, instance = '', unit = '%'): MetricSample {
  return { metric, instance, value, unit };
}

/** Resolves after `ms` (fake or real timers), or early with the signal's abort. */
export function delay(ms: number, signal?: AbortSignal): Promise<'done' | 'aborted'> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('done'), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve('aborted');
    });
  });
}

export interface FakeProbe extends Probe {
  starts: number[];
  maxConcurrent: number;
  closed: boolean;
  signals: AbortSignal[];
}

/** A probe whose n-th read (0-based) does `behaviour(n, signal)`; it counts overlap and starts. */
export function fakeProbe(
  id: string,
  interval: number,
  behaviour: (n: number, signal: AbortSignal) => Promise<ProbeResult<unknown>>,
): FakeProbe {
  let active = 0;
  const probe: FakeProbe = {
    id,
    interval,
    starts: [],
    maxConcurrent: 0,
    closed: false,
    signals: [],
    async read(signal) {
      const n = probe.starts.length;
      probe.starts.push(Date.now());
      probe.signals.push(signal);
      active += 1;
      probe.maxConcurrent = Math.max(probe.maxConcurrent, active);
      try {
        return await behaviour(n, signal);
      } finally {
        active -= 1;
      }
    },
    async close() {
      probe.closed = true;
    },
  };
  return probe;
}

/** Reads in `ms` that honour the abort signal (like a real probe), then report `value`. */
export function slowOk(ms: number, metric: string, value: number) {
  return async (_n: number, signal: AbortSignal): Promise<ProbeResult<unknown>> => {
    const at = Date.now();
    const how = await delay(ms, signal);
    if (how === 'aborted') return errResult('timeout', at);
    return okResult([m(metric, value)], at);
  };
}
