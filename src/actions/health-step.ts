// The health step plans end with (issue 15): the named checks of the services a plan touched (or the
// default list), each with its result — name, pass or fail, detail, attempts — and a step that
// passes only when all pass. The checks themselves read the world (src/probes/health-checks.ts);
// the app layer hands them in as a HealthChecker, so this layer never imports probes.
import type { HealthCheckConfig, ServiceConfig } from '../config/schema.js';
import { ActionError } from '../plan/errors.js';
import { showArgv, type StepContext } from '../plan/plan.js';
import { seconds } from '../present/format.js';

export interface CheckOutcome {
  name: string;
  ok: boolean;
  detail: string;
  attempts: number;
}

/** The configured checks and how to run them. */
export interface HealthChecker {
  checks: readonly HealthCheckConfig[];
  defaults: readonly string[];
  run(checks: readonly HealthCheckConfig[], signal: AbortSignal): Promise<CheckOutcome[]>;
}

/**
 * The checks that prove `services` healthy: each service's `checks`, or the default list for one
 * that names none; with no services, the default list. Each check once, in config order.
 */
export function checksFor(
  h: HealthChecker | undefined,
  services: readonly ServiceConfig[] | null,
): HealthCheckConfig[] {
  if (!h) return [];
  const names = new Set<string>();
  if (!services || services.length === 0) for (const n of h.defaults) names.add(n);
  else for (const s of services) for (const n of s.checks ?? h.defaults) names.add(n);
  return h.checks.filter((c) => names.has(c.name));
}

/** One line: what the check does (for the plan's step description). */
export function describeCheck(c: HealthCheckConfig): string {
  const what = c.http
    ? `GET ${c.http.url} → ${c.http.expectStatus ?? '2xx/3xx'}${c.http.tlsVerify ? '' : ' (TLS not verified)'}`
    : c.command
      ? `run ${showArgv(c.command)} → exit 0`
      : c.tcp
        ? `connect to ${c.tcp}`
        : `SQL ${c.sql!.query}${c.sql!.expect !== undefined ? ` → ${c.sql!.expect}` : ''}`;
  const wait = c.wait > 0 ? `after ${seconds(c.wait)}, ` : '';
  const retry = c.retry ? `, retried every ${seconds(c.retry.every)} for ${seconds(c.retry.within)}` : '';
  return `${c.name}: ${wait}${what}${retry}`;
}

/** The step text for `checks`. */
export function describeChecks(h: HealthChecker | undefined, checks: readonly HealthCheckConfig[]): string {
  if (!h || checks.length === 0) return '';
  return checks.map(describeCheck).join('; ');
}

/** One line per result: "✓ api: HTTP 200 in 3 ms (1 attempt)". */
export function outcomeLine(r: CheckOutcome): string {
  return `${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail} (${r.attempts} attempt${r.attempts === 1 ? '' : 's'})`;
}

/**
 * Runs `checks` inside a step: one output line per result, and throws ActionError('failed') naming
 * every failing check and why. Resolves to a note ("3 checks passed") or undefined when there are none.
 */
export async function runHealthChecks(
  h: HealthChecker | undefined,
  checks: readonly HealthCheckConfig[],
  ctx: Pick<StepContext, 'signal' | 'output'>,
): Promise<string | undefined> {
  if (!h || checks.length === 0) return undefined;
  let results: CheckOutcome[];
  try {
    results = await h.run(checks, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw new ActionError('cancelled', 'cancelled');
    throw err;
  }
  for (const r of results) ctx.output(outcomeLine(r));
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0)
    throw new ActionError(
      'failed',
      `health check${bad.length === 1 ? '' : 's'} failed: ${bad
        .map((r) => `${r.name} (${r.detail}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})`)
        .join('; ')}`,
    );
  return `${results.length} check${results.length === 1 ? '' : 's'} passed`;
}
