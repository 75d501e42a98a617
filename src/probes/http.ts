// The HTTP endpoint probe (targets.http): every endpoint is asked as the manuals' `curl -f` does,
// all in parallel (one slow endpoint never delays the others), each at its own interval. One
// request per endpoint per interval through httpRequest (the one HTTP(S) client for checks), each
// bounded by the endpoint's timeout (at most probeTimeout), so a hanging endpoint is a timeout,
// never a frozen read. Metrics, instance = the endpoint's name:
//   http.up         1 when an answer with an expected status arrived, else 0
//   http.latencyMs  time to the whole answer (not reported without an answer)
//   tls.daysLeft    https only: days until the peer certificate expires (not reported without one)
// An endpoint not due at this read reports its last answer again, so every endpoint is always listed.
import type { HttpEndpoint } from '../config/resolve.js';
import { runBounded } from './boundary.js';
import { httpRequest, type HttpAnswer, type PeerCertificate } from './http-request.js';
import type { MetricSample, Probe, ProbeResult } from './types.js';

export interface HttpEndpointState {
  name: string;
  url: string;
  method: string;
  /** When the answer (or failure) came, ms since epoch. */
  at: number;
  up: boolean;
  status: number | null;
  latencyMs: number | null;
  /** Why it is down: no answer, or an unexpected status. */
  error: string | null;
  errorKind: HttpAnswer['errorKind'] | 'status' | null;
  certificate: PeerCertificate | null;
  /** https: days until the certificate expires (one decimal), null without a certificate. */
  daysLeft: number | null;
}

export interface HttpReading {
  endpoints: HttpEndpointState[];
}

const DAY_MS = 86_400_000;

/** Days from `now` to `validTo`, one decimal (negative once expired). */
export function daysLeft(validTo: number, now: number): number {
  return Math.round(((validTo - now) / DAY_MS) * 10) / 10;
}

/** Whether a status means "up" for this endpoint: one of expectStatus, else below 400 (curl -f). */
export function statusIsUp(status: number, expect: number[] | null): boolean {
  return expect ? expect.includes(status) : status < 400;
}

/** The state of one endpoint from one answer. Pure. */
export function endpointState(e: HttpEndpoint, a: HttpAnswer, at: number): HttpEndpointState {
  const up = a.ok && a.status !== undefined && statusIsUp(a.status, e.expectStatus);
  const expected = e.expectStatus ? e.expectStatus.join(' or ') : 'below 400';
  const error = !a.ok ? (a.error ?? 'no answer') : up ? null : `answered ${a.status ?? '?'}, expected ${expected}`;
  return {
    name: e.name,
    url: e.url,
    method: e.method,
    at,
    up,
    status: a.status ?? null,
    latencyMs: a.ok ? a.latencyMs : null,
    error,
    errorKind: !a.ok ? (a.errorKind ?? 'protocol') : up ? null : 'status',
    certificate: a.certificate ?? null,
    daysLeft: a.certificate ? daysLeft(a.certificate.validTo, at) : null,
  };
}

/** The samples of one endpoint. Pure. */
export function endpointSamples(s: HttpEndpointState): MetricSample[] {
  // Without an answer there is no latency, and without a handshake no certificate: http.up = 0
  // says it all (a null sample would add an UNKNOWN alert per down endpoint).
  const out: MetricSample[] = [{ metric: 'http.up', instance: s.name, value: s.up ? 1 : 0, unit: '' }];
  if (s.latencyMs !== null) out.push({ metric: 'http.latencyMs', instance: s.name, value: s.latencyMs, unit: 'ms' });
  if (s.daysLeft !== null) out.push({ metric: 'tls.daysLeft', instance: s.name, value: s.daysLeft, unit: 'd' });
  return out;
}

export interface HttpProbeOptions {
  now?: () => number;
}

/** The 'http' probe over every configured endpoint; its interval is the shortest endpoint interval. */
export function createHttpProbe(
  endpoints: HttpEndpoint[],
  probeTimeout: number,
  opts: HttpProbeOptions = {},
): Probe<HttpReading> {
  const now = opts.now ?? Date.now;
  const last = new Map<string, HttpEndpointState>();
  const asked = new Map<string, number>();
  const interval = Math.max(1000, Math.min(...endpoints.map((e) => e.interval)));
  // Each request ends a little before the poller would abort the whole read at probeTimeout, so a
  // hanging endpoint is its own timeout and the others' answers still arrive.
  const cap = Math.max(100, probeTimeout - 250);
  return {
    id: 'http',
    interval,
    read(signal): Promise<ProbeResult<HttpReading>> {
      return runBounded(
        signal,
        // The requests' own timeouts (at most probeTimeout) fire first; this only catches the unexpected.
        { timeoutMs: probeTimeout + 500, context: { what: 'HTTP endpoints' } },
        async (inner) => {
          const t = now();
          const states = await Promise.all(
            endpoints.map(async (e) => {
              const prev = last.get(e.name);
              // Due when its interval has (almost: a poll tick may come a little early) passed.
              if (prev && t - (asked.get(e.name) ?? 0) < e.interval * 0.9) return prev;
              asked.set(e.name, t);
              const answer = await httpRequest({
                url: e.url,
                method: e.method,
                headers: e.headers,
                timeoutMs: Math.min(e.timeout, cap),
                tlsVerify: e.tlsVerify,
                signal: inner,
              });
              const state = endpointState(e, answer, now());
              last.set(e.name, state);
              return state;
            }),
          );
          return { reading: { endpoints: states }, metrics: states.flatMap(endpointSamples) };
        },
      );
    },
    close: () => Promise.resolve(),
  };
}
