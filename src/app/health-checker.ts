// The configured health checks (config `checks:`, `defaultChecks:`) as the action layer's
// HealthChecker: the runner (src/probes/health-checks.ts, loaded on first use) with the configured
// PostgreSQL for sql checks. Built here because actions and restores may not import probes.
import type { CheckOutcome, HealthChecker } from '../actions/health-step.js';
import type { OpsdeckConfig } from '../config/resolve.js';

/** The HealthChecker of `config`, or undefined when no checks are configured. */
export function healthChecker(
  config: Pick<OpsdeckConfig, 'checks' | 'defaultChecks'> & { postgres?: OpsdeckConfig['postgres'] },
  env?: NodeJS.ProcessEnv,
): HealthChecker | undefined {
  if (config.checks.length === 0) return undefined;
  return {
    checks: config.checks,
    defaults: config.defaultChecks,
    run: async (checks, signal): Promise<CheckOutcome[]> => {
      const { runChecks } = await import('../probes/health-checks.js');
      return runChecks(checks, { postgres: config.postgres ?? null, ...(env ? { env } : {}) }, signal);
    },
  };
}
