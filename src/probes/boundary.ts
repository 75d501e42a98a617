// The probe boundary: every read runs here, under a timeout and an abort signal, and whatever
// happens inside (a throw, a hang, a frozen server) comes out as a typed ProbeResult. Nothing
// rejects past this point, so a dead backend can never crash the console or wedge the poller.
import { ProbeFailure, type MetricSample, type ProbeError, type ProbeErrorKind, type ProbeResult } from './types.js';

export const DEFAULT_PROBE_TIMEOUT = 3000;

/** What a probe's read function hands back on success. */
export interface ReadOutcome<R> {
  reading: R;
  metrics: MetricSample[];
}

/** How to word errors for one target; hints are appended per error kind ("how to fix it"). */
export interface ErrorContext {
  /** e.g. "PostgreSQL at 127.0.0.1:5432". */
  what: string;
  hints?: Partial<Record<ProbeErrorKind, string>>;
  /** Strings that must never appear in a message (passwords). */
  secrets?: (string | undefined)[];
}

export interface BoundaryOptions {
  timeoutMs?: number;
  context: ErrorContext;
  /** Metrics to report when the read fails (typically `<target>.reachable`). */
  failureMetrics?: (error: ProbeError) => MetricSample[];
}

/** Runs `fn` with a timeout and abort signal; resolves with a typed result and never rejects. */
export async function runBounded<R>(
  outer: AbortSignal | undefined,
  opts: BoundaryOptions,
  fn: (signal: AbortSignal) => Promise<ReadOutcome<R>>,
): Promise<ProbeResult<R>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT;
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;

  const stopped = new Promise<never>((_, reject) => {
    const fail = (err: Error) => {
      controller.abort(err);
      reject(err);
    };
    timer = setTimeout(() => fail(new ProbeFailure('timeout', `no answer within ${formatMs(timeoutMs)}`)), timeoutMs);
    if (outer) {
      onOuterAbort = () => fail(new ProbeFailure('timeout', 'read cancelled'));
      if (outer.aborted) onOuterAbort();
      else outer.addEventListener('abort', onOuterAbort, { once: true });
    }
  });
  // Whichever side loses the race must not surface later as an unhandled rejection.
  stopped.catch(() => undefined);

  try {
    const work = controller.signal.aborted ? stopped : fn(controller.signal);
    work.catch(() => undefined);
    const { reading, metrics } = await Promise.race([work, stopped]);
    return { ok: true, at: Date.now(), latencyMs: elapsed(started), reading, metrics };
  } catch (err) {
    const error = classifyError(err, opts.context);
    return {
      ok: false,
      at: Date.now(),
      latencyMs: elapsed(started),
      error,
      metrics: opts.failureMetrics?.(error) ?? [],
    };
  } finally {
    clearTimeout(timer);
    if (onOuterAbort) outer?.removeEventListener('abort', onOuterAbort);
    // Tell the probe to drop whatever is still in flight (sockets, requests).
    if (!controller.signal.aborted) controller.abort(new ProbeFailure('timeout', 'read finished'));
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'ENOTCONN',
  'EADDRNOTAVAIL',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ABORT_ERR', 'UND_ERR_CONNECT_TIMEOUT', '57014']);
const AUTH_CODES = new Set(['EACCES', 'EPERM', '28P01', '28000']);

/** Maps anything thrown by a probe to a typed, one-line, secret-free ProbeError. */
export function classifyError(err: unknown, ctx: ErrorContext): ProbeError {
  const { kind, detail } = kindOf(err);
  const hint = ctx.hints?.[kind] ?? DEFAULT_HINTS[kind];
  const text = [`${ctx.what}: ${detail}`, hint].filter(Boolean).join('; ');
  return { kind, message: sanitizeMessage(text, ctx.secrets) };
}

const DEFAULT_HINTS: Record<ProbeErrorKind, string> = {
  not_configured: 'add the target to the config file',
  unreachable: 'is the service running and is the address in the config right?',
  auth: 'check the credentials in the config',
  timeout: 'is the service overloaded or frozen, or is a firewall dropping packets?',
  protocol: 'unexpected answer; is the address pointing at the right kind of service?',
};

function kindOf(err: unknown): { kind: ProbeErrorKind; detail: string } {
  if (err instanceof ProbeFailure) return { kind: err.kind, detail: err.message };
  const e = (err ?? {}) as { code?: unknown; name?: unknown; message?: unknown; errno?: unknown; statusCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  if (UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail: unreachableDetail(code, message) };
  if (
    TIMEOUT_CODES.has(code) ||
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    /\btimed? ?out\b|timeout expired/i.test(message)
  ) {
    return { kind: 'timeout', detail: message };
  }
  if (
    AUTH_CODES.has(code) ||
    /^(NOAUTH|WRONGPASS|NOPERM)\b/.test(message) ||
    e.statusCode === 401 ||
    e.statusCode === 403
  ) {
    return { kind: 'auth', detail: code === 'EACCES' || code === 'EPERM' ? `permission denied (${message})` : message };
  }
  if (/connection (terminated|is closed|closed)|socket hang up|Connection ended/i.test(message))
    return { kind: 'unreachable', detail: message };
  return { kind: 'protocol', detail: message };
}

function unreachableDetail(code: string, message: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOENT':
      return `no such socket (${message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name does not resolve (${message})`;
    default:
      return message;
  }
}

/** Makes a message safe to show: one line, credentials in URLs and known secrets masked. */
export function sanitizeMessage(message: string, secrets: (string | undefined)[] = []): string {
  let out = message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  // scheme://user:password@host → scheme://user:***@host
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]*@/gi, '$1:***@');
  for (const s of secrets) {
    if (s) out = out.split(s).join('***');
  }
  return out.length > 400 ? `${out.slice(0, 397)}...` : out;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Throws a timeout ProbeFailure if `signal` has been aborted (for long loops inside a read). */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new ProbeFailure('timeout', 'read cancelled');
}

/** The `<target>.reachable` sample for a failed read: 0 when the server is down or silent, null
 *  (UNKNOWN) when it answered but we could not read it (auth, protocol). */
export function reachableOnFailure(metric: string): (error: ProbeError) => MetricSample[] {
  return (e) => [
    { metric, instance: '', value: e.kind === 'unreachable' || e.kind === 'timeout' ? 0 : null, unit: 'count' },
  ];
}
