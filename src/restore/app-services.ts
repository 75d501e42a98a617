// The application services a restore stops before it touches the database and starts again after
// (services with `group: application` in the config), driven through the action layer's service
// plans so they are stopped and started exactly as "stop all" / "start all" would.
import { servicePlan, startOrder, type ServiceDeps } from '../actions/services.js';
import { detectCompose, serviceDriver, type ServiceStatus } from '../actions/service-drivers.js';
import type { Step, StepContext } from '../plan/plan.js';
import type { HealthCheckConfig, ServiceConfig } from '../config/schema.js';
import { checksFor, describeChecks, runHealthChecks } from '../actions/health-step.js';

export interface AppServices {
  /** In the order they are started (the reverse of the stop order). */
  services: ServiceConfig[];
  /** One line per service with the command it stops it with. */
  describe(verb: 'start' | 'stop'): string;
  /** Stops (reverse start order) or starts (start order) every application service; throws at the first failure. */
  run(verb: 'start' | 'stop', ctx: StepContext): Promise<string | void>;
  /** Current status of each, in start order. */
  status(signal: AbortSignal): Promise<ServiceStatus[]>;
  /** Services whose config cannot do `verb` (no stop command), with why. */
  unable(verb: 'start' | 'stop'): string[];
  /** The named health checks that prove these services healthy (issue 15); empty when none are configured. */
  checks: HealthCheckConfig[];
  /** What the checks do, in one line ('' when there are none). */
  describeChecks(): string;
  /** Runs the checks inside a step (one line per result); throws naming each failing check. */
  runChecks(ctx: Pick<StepContext, 'signal' | 'output'>): Promise<string | undefined>;
}

/** The application services of `all`, ready to stop and start. */
export async function appServices(
  all: readonly ServiceConfig[],
  order: readonly string[] | undefined,
  deps: ServiceDeps = {},
): Promise<AppServices> {
  // Names in startOrder that are not application services are simply not ours to touch.
  const ordered = startOrder(
    all,
    order?.filter((n) => all.some((s) => s.name === n)),
  ).filter((s) => s.group === 'application');
  const withCompose =
    ordered.some((s) => s.compose !== undefined) && !deps.compose
      ? { ...deps, compose: await detectCompose(deps) }
      : deps;
  const steps = new Map<string, Step>();
  for (const verb of ['start', 'stop'] as const) {
    for (const s of ordered)
      steps.set(`${verb}:${s.name}`, (await servicePlan(all, verb, s.name, withCompose)).steps[0]!);
  }
  const drivers = new Map(ordered.map((s) => [s.name, serviceDriver(s, withCompose)]));
  const checks = checksFor(deps.health, ordered);
  const inOrder = (verb: 'start' | 'stop'): ServiceConfig[] => (verb === 'start' ? ordered : [...ordered].reverse());
  return {
    services: ordered,
    describe(verb) {
      if (ordered.length === 0)
        return 'no application services configured (services with group: application): nothing to do';
      return inOrder(verb)
        .map((s) => `${s.name}: ${steps.get(`${verb}:${s.name}`)!.describe().text}`)
        .join('; ');
    },
    async run(verb, ctx) {
      if (ordered.length === 0) return 'no application services configured';
      const notes: string[] = [];
      for (const s of inOrder(verb)) {
        ctx.output(`${verb} ${s.name}`);
        const note = await steps.get(`${verb}:${s.name}`)!.run(ctx);
        notes.push(`${s.name}${typeof note === 'string' && note ? ` (${note})` : ''}`);
      }
      return `${verb === 'start' ? 'started' : 'stopped'} ${notes.join(', ')}`;
    },
    status: (signal) => Promise.all(ordered.map((s) => drivers.get(s.name)!.status(signal))),
    checks,
    describeChecks: () => describeChecks(deps.health, checks),
    runChecks: (ctx) => runHealthChecks(deps.health, checks, ctx),
    unable(verb) {
      return ordered
        .filter((s) => drivers.get(s.name)!.describe(verb).text.startsWith('(no '))
        .map((s) => `${s.name}: no ${verb} command configured`);
    },
  };
}
