// Starting and stopping configured services, alone or all in the documented order (SPEC §2:
// databases, queue, search, application, then a health check; stop is the reverse). A failed
// step stops the sequence and the summary asks every service what state it is in now.
import type { ServiceConfig } from '../config/schema.js';
import { ActionError, errorText } from '../plan/errors.js';
import type { Plan, Step } from '../plan/plan.js';
import {
  detectCompose,
  serviceDriver,
  type DriverDeps,
  type ServiceDriver,
  type ServiceStatus,
} from './service-drivers.js';
import { sleep } from '../plan/sleep.js';
import { checksFor, describeChecks, runHealthChecks, type HealthChecker } from './health-step.js';

export type ServiceVerb = 'start' | 'stop';
/** What one service can be asked to do (restart and reload: issue 15). */
export type OneServiceVerb = ServiceVerb | 'restart' | 'reload';

export interface ServiceDeps extends DriverDeps {
  /** Who holds connections to this service (e.g. database clients), one line each; undefined when not known. */
  clientsOf?: (svc: ServiceConfig, signal: AbortSignal) => Promise<string[] | undefined>;
  /** Extra health check after "start all" (e.g. the probes); throw to fail, resolve to lines of output. */
  healthCheck?: (signal: AbortSignal) => Promise<string[]>;
  /** The configured named health checks (config `checks:`) that start-all, restart, reload and restores end with. */
  health?: HealthChecker;
  /** How often to ask for status while waiting for a service to come up or go down (default 1 s). */
  pollMs?: number;
}

const GROUP_RANK: Record<ServiceConfig['group'], number> = {
  database: 0,
  queue: 1,
  search: 2,
  application: 3,
  other: 4,
};

/**
 * Services in start order: `startOrder` first (when configured), the rest by group (database, queue,
 * search, application, other), then config order.
 */
export function startOrder(services: readonly ServiceConfig[], order?: readonly string[]): ServiceConfig[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const first: ServiceConfig[] = [];
  for (const n of order ?? []) {
    const s = byName.get(n);
    if (!s) {
      const known = [...byName.keys()].join(', ') || 'none';
      throw new ActionError(
        'not_found',
        `startOrder names "${n}", which is not a configured service (known: ${known})`,
      );
    }
    if (!first.includes(s)) first.push(s);
  }
  const rest = services.filter((s) => !first.includes(s)).map((s, i) => ({ s, i }));
  rest.sort((a, b) => GROUP_RANK[a.s.group] - GROUP_RANK[b.s.group] || a.i - b.i);
  return [...first, ...rest.map((r) => r.s)];
}

/** Finds a configured service by name, or throws ActionError('not_found') listing the known ones. */
export function findService(services: readonly ServiceConfig[], name: string): ServiceConfig {
  const s = services.find((x) => x.name === name);
  if (!s)
    throw new ActionError(
      'not_found',
      `no service named "${name}" in the config (known: ${services.map((x) => x.name).join(', ') || 'none'})`,
    );
  return s;
}

async function drivers(services: readonly ServiceConfig[], deps: ServiceDeps): Promise<Map<string, ServiceDriver>> {
  const needsCompose = services.some((s) => s.compose !== undefined) && !deps.compose;
  const compose = needsCompose ? await detectCompose(deps) : deps.compose;
  return new Map(services.map((s) => [s.name, serviceDriver(s, { ...deps, ...(compose ? { compose } : {}) })]));
}

/**
 * A plan that starts, stops, restarts or reloads one configured service and waits for its status to
 * agree; a restart or reload then ends with the service's health checks. A verb the service's kind
 * cannot do (a container's reload) is refused here, before any plan is shown.
 */
export async function servicePlan(
  services: readonly ServiceConfig[],
  verb: OneServiceVerb,
  name: string,
  deps: ServiceDeps = {},
): Promise<Plan> {
  const svc = findService(services, name);
  const d = (await drivers([svc], deps)).get(svc.name)!;
  const why = d.unable(verb);
  if (why && (verb === 'restart' || verb === 'reload')) throw new ActionError('not_supported', why);
  const again = verb === 'restart' || verb === 'reload';
  return {
    action: `service.${verb}`,
    target: svc.name,
    danger: verb === 'start' ? 'safe' : 'confirm',
    steps: [serviceStep(svc, d, verb, deps), ...(again ? [healthStep([svc], new Map([[svc.name, d]]), deps)] : [])],
    blastRadius: async (signal) => {
      const s = await d.status(signal);
      const lines = [`${svc.name} (${svc.group}) is ${s.state}: ${s.detail}`];
      if (verb === 'stop' || verb === 'restart') lines.push(...(await clientLines(svc, deps, signal)));
      if (verb === 'restart') lines.push(`${svc.name} is briefly unavailable while it restarts`);
      return lines;
    },
    epilogue: async (outcome, signal) => (outcome.result === 'succeeded' ? [] : [nowLine([await d.status(signal)])]),
  };
}

/** "Start all" (configured order, then a health check) or "stop all" (reverse order, then a status check). */
export async function allServicesPlan(
  services: readonly ServiceConfig[],
  verb: ServiceVerb,
  order: readonly string[] | undefined,
  deps: ServiceDeps = {},
): Promise<Plan> {
  const ordered = startOrder(services, order);
  if (verb === 'stop') ordered.reverse();
  const ds = await drivers(ordered, deps);
  const want = verb === 'start' ? 'running' : 'stopped';
  const check: Step =
    verb === 'start'
      ? healthStep(ordered, ds, deps)
      : {
          id: 'status-check',
          title: 'status check',
          describe: () => ({
            kind: 'check',
            text: `every service reports ${want}: ${ordered.map((s) => statusText(s, ds.get(s.name)!)).join('; ')}`,
          }),
          cancellable: true,
          run: async (ctx) => {
            const all = await Promise.all(ordered.map((s) => ds.get(s.name)!.status(ctx.signal)));
            for (const s of all) ctx.output(`${s.name}: ${s.state} (${s.detail})`);
            const bad = all.filter((s) => s.state !== want && s.state !== 'unknown');
            if (bad.length > 0)
              throw new ActionError('failed', `not ${want}: ${bad.map((s) => `${s.name} (${s.detail})`).join(', ')}`);
            const unknown = all.filter((s) => s.state === 'unknown');
            return unknown.length > 0
              ? `not verified: ${unknown.map((s) => `${s.name} (${s.detail})`).join(', ')}`
              : undefined;
          },
        };
  return {
    action: `service.${verb}-all`,
    target: 'all services',
    danger: 'confirm',
    steps: [...ordered.map((s) => serviceStep(s, ds.get(s.name)!, verb, deps)), check],
    blastRadius: async (signal) => {
      const all = await Promise.all(ordered.map((s) => ds.get(s.name)!.status(signal)));
      const noun = ordered.length === 1 ? 'service' : 'services';
      const names = ordered.map((s) => s.name).join(' → ');
      const lines = [`${verb} ${ordered.length} ${noun} in this order: ${names}`, nowLine(all)];
      if (verb === 'stop') for (const s of ordered) lines.push(...(await clientLines(s, deps, signal)));
      return lines;
    },
    epilogue: async (outcome, signal) => {
      if (outcome.result === 'succeeded') return [];
      return [nowLine(await Promise.all(ordered.map((s) => ds.get(s.name)!.status(signal))))];
    },
  };
}

/** Current status of every configured service, in start order. */
export async function serviceStatuses(
  services: readonly ServiceConfig[],
  deps: ServiceDeps = {},
  signal: AbortSignal = AbortSignal.timeout(30_000),
): Promise<ServiceStatus[]> {
  const ordered = startOrder(services);
  const ds = await drivers(ordered, deps);
  return Promise.all(ordered.map((s) => ds.get(s.name)!.status(signal)));
}

/**
 * The health step of start-all and of a restart or reload: every service reports running, then the
 * named health checks of those services (each with name, pass/fail, detail and attempts) all pass.
 */
function healthStep(ordered: readonly ServiceConfig[], ds: Map<string, ServiceDriver>, deps: ServiceDeps): Step {
  const checks = checksFor(deps.health, ordered);
  const named = describeChecks(deps.health, checks);
  return {
    id: 'health-check',
    title: 'health check',
    describe: () => ({
      kind: 'check',
      // The checks first: on a narrow confirmation screen they are what the operator needs to see.
      text:
        (named
          ? `every service reports running, then the checks ${named} — status: `
          : 'every service reports running: ') + ordered.map((s) => statusText(s, ds.get(s.name)!)).join('; '),
    }),
    cancellable: true,
    run: async (ctx) => {
      const all = await Promise.all(ordered.map((s) => ds.get(s.name)!.status(ctx.signal)));
      for (const s of all) ctx.output(`${s.name}: ${s.state} (${s.detail})`);
      const bad = all.filter((s) => s.state !== 'running' && s.state !== 'unknown');
      if (bad.length > 0)
        throw new ActionError('failed', `not running: ${bad.map((s) => `${s.name} (${s.detail})`).join(', ')}`);
      if (deps.healthCheck) for (const l of await deps.healthCheck(ctx.signal)) ctx.output(l);
      const passed = await runHealthChecks(deps.health, checks, ctx);
      const unknown = all.filter((s) => s.state === 'unknown');
      const notes = [
        ...(unknown.length > 0 ? [`not verified: ${unknown.map((s) => `${s.name} (${s.detail})`).join(', ')}`] : []),
        ...(passed ? [passed] : []),
      ];
      return notes.join('; ') || undefined;
    },
  };
}

function statusText(svc: ServiceConfig, d: ServiceDriver): string {
  return `${svc.name}: ${d.describeStatus()?.text ?? 'no status command'}`;
}

function serviceStep(svc: ServiceConfig, d: ServiceDriver, verb: OneServiceVerb, deps: ServiceDeps): Step {
  const want = verb === 'stop' ? 'stopped' : 'running';
  // A restart or reload acts whatever the state: only start and stop skip what is already done.
  const again = verb === 'restart' || verb === 'reload';
  return {
    id: `${verb}-${svc.name}`,
    title: `${verb} ${svc.name}`,
    describe: () => {
      const act = d.describe(verb);
      const st = d.describeStatus();
      return {
        ...act,
        text: st
          ? `${again ? '' : `unless already ${want}: `}${act.text}, then wait until \`${st.text}\` says ${want}`
          : act.text,
      };
    },
    // Killing a half-done start or stop leaves a service in an unknown state: let it finish.
    cancellable: false,
    run: async (ctx) => {
      const deadline = Date.now() + svc.timeout;
      const hasStatus = d.describeStatus() !== null;
      // Re-running "stop all" after a partial failure must not fail on what is already down.
      if (!again && hasStatus && (await d.status(AbortSignal.timeout(20_000))).state === want)
        return `was already ${want}`;
      const note = await d.run(verb, { signal: ctx.signal, output: ctx.output, timeoutMs: svc.timeout });
      if (!hasStatus) return note ?? 'no status command: not verified';
      // Some start commands return before the service answers (daemonize): wait for the status to agree.
      for (;;) {
        const s = await d.status(AbortSignal.timeout(Math.max(1000, deadline - Date.now())));
        if (s.state === want) return note ?? undefined;
        if (Date.now() >= deadline)
          throw new ActionError(
            'timeout',
            `${svc.name} is still ${s.state} (${s.detail}) ${Math.round(svc.timeout / 1000)} s after ${verb}`,
          );
        ctx.output(`waiting: ${svc.name} is ${s.state} (${s.detail})`);
        await sleep(deps.pollMs ?? 1000);
      }
    },
  };
}

async function clientLines(svc: ServiceConfig, deps: ServiceDeps, signal: AbortSignal): Promise<string[]> {
  if (!deps.clientsOf) return [];
  try {
    const lines = await deps.clientsOf(svc, signal);
    return lines ? lines.map((l) => `${svc.name}: ${l}`) : [];
  } catch (err) {
    return [`${svc.name}: clients unknown (${errorText(err)})`];
  }
}

/** "Now: running a, b; stopped c; unknown d (why)". */
export function nowLine(all: readonly ServiceStatus[]): string {
  const group = (st: string): string[] =>
    all
      .filter((s) => s.state === st)
      .map((s) => (st === 'running' || st === 'stopped' ? s.name : `${s.name} (${s.detail})`));
  const parts = (['running', 'partial', 'stopped', 'unknown'] as const)
    .map((st) => [st, group(st)] as const)
    .filter(([, names]) => names.length > 0);
  const described = parts.map(([st, names]) => `${st === 'partial' ? 'partly running' : st} ${names.join(', ')}`);
  return `Now: ${described.join('; ') || 'no services'}.`;
}
