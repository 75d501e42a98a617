// The probe contract: a probe reads one target and returns a typed reading or a typed error.
// A probe never throws past its boundary; every read has a timeout and an abort signal.

/** Why a reading could not be had. */
export type ProbeErrorKind = 'not_configured' | 'unreachable' | 'auth' | 'timeout' | 'protocol';

export interface ProbeError {
  kind: ProbeErrorKind;
  /** One line for the operator: what is wrong and, where known, what to do. Never holds a secret. */
  message: string;
}

/** One numeric sample of a metric, judged by the threshold engine against the rule of `metric`. */
export interface MetricSample {
  /** Rule id, e.g. `host.cpu`, `postgres.connections` (see DEFAULT_RULES). */
  metric: string;
  /** The instance within the target, e.g. a mount point, an interface, a container name; '' when none. */
  instance: string;
  /** The value in the rule's unit (percent for ratios), or null when it cannot be had (→ UNKNOWN). */
  value: number | null;
  /** Display unit: '%', 's', 'count', '/s', 'h'. */
  unit: string;
}

export type ProbeResult<R> =
  | { ok: true; at: number; latencyMs: number; reading: R; metrics: MetricSample[] }
  | { ok: false; at: number; latencyMs: number; error: ProbeError; metrics: MetricSample[] };

export interface Probe<R = unknown> {
  /** Target id: 'host' | 'docker' | 'postgres' | 'redis' 'backup'. */
  id: string;
  /** Poll interval in ms. */
  interval: number;
  /** One read. Resolves (never rejects) within the probe timeout, or soon after `signal` aborts. */
  read(signal: AbortSignal): Promise<ProbeResult<R>>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** A typed probe failure thrown inside a probe and turned into a ProbeResult at its boundary. */
export class ProbeFailure extends Error {
  constructor(
    public readonly kind: ProbeErrorKind,
    message: string,
  ) {
    super(message);
  }
}
