// Named health checks (issue 15, config `checks:`): what a plan runs at its end to prove the services
// healthy — an HTTP endpoint (through httpRequest, the one HTTP client of checks), a command from an
// argv (the manual's `./scripts/health-check.sh`), a TCP port, or an SQL query on the configured
// PostgreSQL. Each check waits `wait` first (the manual's `sleep 30`), then tries until it passes or
// its retry window ends. Reads only; every wait and attempt stops at once when the signal aborts.
// Not a polled reading: it runs once per plan, when the plan's health step runs.
import { execFile } from 'node:child_process';
import net from 'node:net';
import pg from 'pg';
import type { PgConnection } from '../config/resolve.js';
import type { HealthCheckConfig } from '../config/schema.js';
import { httpRequest } from './http-request.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** In words: `HTTP 200 in 12 ms`, `exit code 1: db down`, `connection refused`. */
  detail: string;
  attempts: number;
}

export interface HealthCheckDeps {
  /** For `sql` checks: the configured PostgreSQL (password from the environment, never on argv). */
  postgres?: PgConnection | null;
  env?: NodeJS.ProcessEnv;
}

interface Attempt {
  ok: boolean;
  detail: string;
}

const secs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs one check: `wait`, then attempts until one passes or `retry.within` has passed since the
 * first. Rejects only when `signal` aborts (with an Error whose message is "cancelled").
 */
export async function runCheck(
  c: HealthCheckConfig,
  deps: HealthCheckDeps,
  signal: AbortSignal,
  onAttempt?: (n: number, a: Attempt) => void,
): Promise<CheckResult> {
  if (c.wait > 0) await pause(c.wait, signal);
  const first = Date.now();
  for (let n = 1; ; n++) {
    const a = await attempt(c, deps, signal);
    if (signal.aborted) throw new Cancelled();
    onAttempt?.(n, a);
    if (a.ok) return { name: c.name, ok: true, detail: a.detail, attempts: n };
    const left = c.retry ? first + c.retry.within - Date.now() : 0;
    if (!c.retry || left <= 0) return { name: c.name, ok: false, detail: a.detail, attempts: n };
    await pause(Math.min(c.retry.every, left), signal);
  }
}

/** Runs every check at once (each in its own window); resolves in the given order. */
export function runChecks(
  checks: readonly HealthCheckConfig[],
  deps: HealthCheckDeps,
  signal: AbortSignal,
  onAttempt?: (name: string, n: number, a: Attempt) => void,
): Promise<CheckResult[]> {
  return Promise.all(checks.map((c) => runCheck(c, deps, signal, (n, a) => onAttempt?.(c.name, n, a))));
}

async function attempt(c: HealthCheckConfig, deps: HealthCheckDeps, signal: AbortSignal): Promise<Attempt> {
  try {
    if (c.http) return await httpAttempt(c.http, c.timeout, signal);
    if (c.command) return await commandAttempt(c.command, c.timeout, deps, signal);
    if (c.tcp) return await tcpAttempt(c.tcp, c.timeout, signal);
    return await sqlAttempt(c.sql!, c.timeout, deps, signal);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

async function httpAttempt(
  h: NonNullable<HealthCheckConfig['http']>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Attempt> {
  const a = await httpRequest({ url: h.url, timeoutMs, tlsVerify: h.tlsVerify, signal });
  const ms = `${Math.round(a.latencyMs)} ms`;
  if (!a.ok || a.status === undefined) return { ok: false, detail: a.error ?? 'no answer' };
  const ok = h.expectStatus !== undefined ? a.status === h.expectStatus : a.status >= 200 && a.status < 400;
  const want = h.expectStatus !== undefined ? `, expected ${h.expectStatus}` : '';
  return { ok, detail: `HTTP ${a.status} in ${ms}${ok ? '' : want || ' (not 2xx/3xx)'}` };
}

function commandAttempt(
  argv: readonly string[],
  timeoutMs: number,
  deps: HealthCheckDeps,
  signal: AbortSignal,
): Promise<Attempt> {
  const [cmd, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      cmd!,
      args,
      { timeout: timeoutMs, signal, maxBuffer: 256 * 1024, env: deps.env ?? process.env, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const last = `${stdout}\n${stderr}`
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .at(-1);
        const said = last ? `: ${last.slice(0, 200)}` : '';
        if (!err) return resolve({ ok: true, detail: `exit 0${said}` });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.code === 'ENOENT') return resolve({ ok: false, detail: `cannot run ${cmd}: command not found` });
        if (e.killed && !signal.aborted)
          return resolve({ ok: false, detail: `no answer within ${secs(timeoutMs)}: killed` });
        resolve({ ok: false, detail: `exit code ${typeof e.code === 'number' ? e.code : (e.code ?? '?')}${said}` });
      },
    );
  });
}

function tcpAttempt(target: string, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(at + 1));
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = net.connect({ host, port });
    const done = (a: Attempt): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `no connection within ${secs(timeoutMs)}` }), timeoutMs);
    const onAbort = (): void => done({ ok: false, detail: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () =>
      done({ ok: true, detail: `connected in ${Math.round(performance.now() - started)} ms` }),
    );
    sock.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, detail: err.code === 'ECONNREFUSED' ? 'connection refused' : err.message }),
    );
  });
}

async function sqlAttempt(
  q: NonNullable<HealthCheckConfig['sql']>,
  timeoutMs: number,
  deps: HealthCheckDeps,
  signal: AbortSignal,
): Promise<Attempt> {
  const conn = deps.postgres;
  if (!conn) return { ok: false, detail: 'PostgreSQL is not configured (targets.postgres): an sql check needs it' };
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    database: conn.database,
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'opsdeck-health',
  });
  client.on('error', () => undefined);
  const onAbort = (): void => void client.end().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const r = await client.query<Record<string, unknown>>({ text: q.query, rowMode: 'array' } as never);
    const first = (r.rows[0] as unknown as unknown[] | undefined)?.[0];
    const got = first === undefined || first === null ? '(no value)' : String(first);
    if (q.expect === undefined) return { ok: true, detail: `answered ${got}` };
    return q.expect === got
      ? { ok: true, detail: `answered ${got}` }
      : { ok: false, detail: `answered ${got}, expected ${q.expect}` };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}
