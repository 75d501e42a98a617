// How one configured service is started, stopped and asked for its status: a systemd unit, a
// Docker container, a compose project, or explicit argv commands. Every child runs from an argv.
import type { ContainerHandle, DockerEngine } from '../docker/index.js';
import type { ServiceConfig } from '../config/schema.js';
import { dockerError } from './docker-errors.js';
import { ActionError, errorText } from '../plan/errors.js';
import { showArgv, type StepDescription } from '../plan/plan.js';
import { runArgv, runChecked } from '../plan/run-argv.js';

export type ServiceState = 'running' | 'stopped' | 'partial' | 'unknown';

/** What a service driver can do. Restart and reload are issue 15. */
export type DriverVerb = 'start' | 'stop' | 'restart' | 'reload';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  /** In words: `active`, `exit code 3`, `2 of 3 compose services running`, `no status command`. */
  detail: string;
  /** An argv service's status output (the manual's `run_production.sh status`: PID, workers, memory), bounded. */
  output?: string[];
}

export interface DriverContext {
  signal: AbortSignal;
  output(line: string): void;
  timeoutMs: number;
}

export interface ServiceDriver {
  kind: 'systemd' | 'container' | 'compose' | 'argv';
  describe(verb: DriverVerb): StepDescription;
  /** Why this service cannot do `verb` (e.g. a container has no reload), or null when it can. */
  unable(verb: DriverVerb): string | null;
  /** What the status query runs, or null when there is none. */
  describeStatus(): StepDescription | null;
  run(verb: DriverVerb, ctx: DriverContext): Promise<string | void>;
  status(signal: AbortSignal): Promise<ServiceStatus>;
}

export interface DriverDeps {
  docker?: DockerEngine | null;
  /** Docker stop grace in ms, for container services. */
  stopTimeoutMs?: number;
  /** Binaries, overridable for tests and unusual hosts. */
  bins?: { systemctl?: string; docker?: string; dockerCompose?: string };
  env?: NodeJS.ProcessEnv;
  /** How compose is invoked; found by detectCompose() when not given. */
  compose?: ComposeCommand;
}

/** `docker compose` (v2 plugin), `docker-compose` (v1) or neither. */
export interface ComposeCommand {
  argv: string[];
  v1: boolean;
  missing: boolean;
}

/** Finds `docker compose`, falling back to `docker-compose` when the plugin is missing. */
export async function detectCompose(deps: Pick<DriverDeps, 'bins' | 'env'> = {}): Promise<ComposeCommand> {
  const docker = deps.bins?.docker ?? 'docker';
  const legacy = deps.bins?.dockerCompose ?? 'docker-compose';
  const ok = async (argv: string[]): Promise<boolean> => {
    try {
      return (await runArgv(argv, { timeoutMs: 10_000, ...(deps.env ? { env: deps.env } : {}) })).code === 0;
    } catch {
      return false;
    }
  };
  if (await ok([docker, 'compose', 'version'])) return { argv: [docker, 'compose'], v1: false, missing: false };
  if (await ok([legacy, 'version'])) return { argv: [legacy], v1: true, missing: false };
  return { argv: [docker, 'compose'], v1: false, missing: true };
}

/** The driver for one service (compose services need `deps.compose`, see detectCompose). */
export function serviceDriver(svc: ServiceConfig, deps: DriverDeps = {}): ServiceDriver {
  if (svc.systemd !== undefined) return systemdDriver(svc.name, svc.systemd, deps);
  if (svc.container !== undefined) return containerDriver(svc.name, svc.container, deps);
  if (svc.compose !== undefined) return composeDriver(svc.name, svc.compose, deps);
  return argvDriver(svc, deps);
}

const argvDesc = (argv: readonly string[]): StepDescription => ({ kind: 'argv', text: showArgv(argv), argv });

function runOpts(ctx: DriverContext, deps: DriverDeps) {
  return {
    signal: ctx.signal,
    timeoutMs: ctx.timeoutMs,
    onLine: (l: string) => ctx.output(l),
    ...(deps.env ? { env: deps.env } : {}),
  };
}

function systemdDriver(name: string, unit: string, deps: DriverDeps): ServiceDriver {
  const systemctl = deps.bins?.systemctl ?? 'systemctl';
  const argv = (verb: string): string[] => [systemctl, verb, unit];
  return {
    kind: 'systemd',
    describe: (verb) => argvDesc(argv(verb)),
    unable: () => null,
    describeStatus: () => argvDesc(argv('is-active')),
    run: async (verb, ctx) => {
      await runChecked(argv(verb), runOpts(ctx, deps));
    },
    status: async (signal) => {
      try {
        const r = await runArgv(argv('is-active'), {
          signal,
          timeoutMs: 10_000,
          ...(deps.env ? { env: deps.env } : {}),
        });
        const word = r.stdout.trim().split('\n')[0] ?? '';
        if (word === 'active') return { name, state: 'running', detail: 'active' };
        if (['inactive', 'failed', 'dead'].includes(word)) return { name, state: 'stopped', detail: word };
        return { name, state: 'unknown', detail: word || r.stderrTail.at(-1) || `exit code ${r.code}` };
      } catch (err) {
        return { name, state: 'unknown', detail: errorText(err) };
      }
    },
  };
}

function containerDriver(name: string, container: string, deps: DriverDeps): ServiceDriver {
  const t = Math.round((deps.stopTimeoutMs ?? 10_000) / 1000);
  const ref = (): ContainerHandle => {
    if (!deps.docker) throw new ActionError('unreachable', 'Docker is not configured or not reachable');
    return deps.docker.container(container);
  };
  const path = `/containers/${encodeURIComponent(container)}`;
  return {
    kind: 'container',
    describe: (verb) =>
      verb === 'reload'
        ? { kind: 'api', text: '(a container has no reload)' }
        : { kind: 'api', text: `POST ${path}/${verb}${verb === 'start' ? '' : `?t=${t}`}` },
    unable: (verb) =>
      verb === 'reload'
        ? `service ${name} is a container, which has no reload: restart it instead ` +
          '(or configure it as a command service with a reload command)'
        : null,
    describeStatus: () => ({ kind: 'check', text: `GET ${path}/json → State.Running` }),
    run: async (verb) => {
      if (verb === 'reload') throw new ActionError('not_supported', `service ${name}: a container has no reload`);
      try {
        if (verb === 'start') await ref().start();
        else if (verb === 'restart') await ref().restart({ t });
        else await ref().stop({ t });
      } catch (err) {
        const e = dockerError(err, container, verb);
        // For a service, "already in the wanted state" is success: start-all must be re-runnable.
        if (e.kind === 'already_running' || e.kind === 'already_stopped')
          return `was already ${verb === 'start' ? 'running' : 'stopped'}`;
        throw e;
      }
    },
    status: async (signal) => {
      try {
        const info = await ref().inspect(signal);
        return { name, state: info.State.Running ? 'running' : 'stopped', detail: info.State.Status };
      } catch (err) {
        return { name, state: 'unknown', detail: errorText(dockerError(err, container, 'inspect')) };
      }
    },
  };
}

function composeDriver(name: string, c: NonNullable<ServiceConfig['compose']>, deps: DriverDeps): ServiceDriver {
  const cmd = deps.compose ?? { argv: [deps.bins?.docker ?? 'docker', 'compose'], v1: false, missing: false };
  const base = [...cmd.argv, ...(c.project ? ['-p', c.project] : []), ...(c.file ? ['-f', c.file] : [])];
  const argv = (verb: DriverVerb): string[] =>
    verb === 'start'
      ? [...base, 'up', '-d', ...c.services]
      : verb === 'restart'
        ? [...base, 'restart', ...c.services]
        : [...base, 'stop', ...c.services];
  const noReload = `service ${name} is a compose project, which has no reload: restart it instead`;
  // Both versions print the names of services with a running container; v1 spells the filter differently.
  const statusArgv = cmd.v1
    ? [...base, 'ps', '--services', '--filter', 'status=running']
    : [...base, 'ps', '--services', '--status', 'running'];
  const missing = (): never => {
    throw new ActionError('not_supported', 'neither `docker compose` nor `docker-compose` is installed');
  };
  return {
    kind: 'compose',
    describe: (verb) => (verb === 'reload' ? { kind: 'argv', text: '(compose has no reload)' } : argvDesc(argv(verb))),
    unable: (verb) => (verb === 'reload' ? noReload : null),
    describeStatus: () => argvDesc(statusArgv),
    run: async (verb, ctx) => {
      if (verb === 'reload') throw new ActionError('not_supported', noReload);
      if (cmd.missing) missing();
      await runChecked(argv(verb), runOpts(ctx, deps));
    },
    status: async (signal) => {
      if (cmd.missing) return { name, state: 'unknown', detail: 'compose is not installed' };
      try {
        const r = await runChecked(statusArgv, { signal, timeoutMs: 20_000, ...(deps.env ? { env: deps.env } : {}) });
        const running = new Set(
          r.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        );
        const wanted = c.services.length > 0 ? c.services : null;
        const up = wanted ? wanted.filter((s) => running.has(s)).length : running.size;
        if (up === 0) return { name, state: 'stopped', detail: 'no compose service running' };
        if (!wanted || up === wanted.length)
          return { name, state: 'running', detail: `${up} compose service${up === 1 ? '' : 's'} running` };
        return { name, state: 'partial', detail: `${up} of ${wanted.length} compose services running` };
      } catch (err) {
        return { name, state: 'unknown', detail: errorText(err) };
      }
    },
  };
}

function argvDriver(svc: ServiceConfig, deps: DriverDeps): ServiceDriver {
  const configured = (verb: DriverVerb): string[] | undefined => svc[verb];
  // Without a restart command, a restart is the stop command, then the start command.
  const stopStart = (): boolean => !svc.restart && svc.start !== undefined && svc.stop !== undefined;
  const unable = (verb: DriverVerb): string | null => {
    if (configured(verb) || (verb === 'restart' && stopStart())) return null;
    if (verb === 'reload')
      return (
        `service ${svc.name} has no reload command configured ` +
        '(add reload: [argv…], e.g. ["kill", "-HUP", …]); restart it instead'
      );
    if (verb === 'restart')
      return `service ${svc.name} has neither a restart command nor both start and stop commands configured`;
    return `service ${svc.name} has no ${verb} command configured`;
  };
  return {
    kind: 'argv',
    describe: (verb) => {
      const a = configured(verb);
      if (a) return argvDesc(a);
      if (verb === 'restart' && stopStart())
        return { kind: 'argv', text: `${showArgv(svc.stop!)}, then ${showArgv(svc.start!)}` };
      return { kind: 'argv', text: `(no ${verb} command configured)` };
    },
    unable,
    describeStatus: () => (svc.status ? argvDesc(svc.status) : null),
    run: async (verb, ctx) => {
      const why = unable(verb);
      if (why) throw new ActionError('not_supported', why);
      const a = configured(verb);
      if (a) {
        await runChecked(a, runOpts(ctx, deps));
        return;
      }
      await runChecked(svc.stop!, runOpts(ctx, deps));
      await runChecked(svc.start!, runOpts(ctx, deps));
      return 'stopped, then started';
    },
    status: async (signal) => {
      if (!svc.status) return { name: svc.name, state: 'unknown', detail: 'no status command' };
      try {
        // Convention (LSB): exit 0 means running; anything else means not running.
        const r = await runArgv(svc.status, {
          signal,
          timeoutMs: Math.min(svc.timeout, 20_000),
          ...(deps.env ? { env: deps.env } : {}),
        });
        if (r.timedOut) return { name: svc.name, state: 'unknown', detail: 'status command timed out' };
        const output = r.stdout
          .split('\n')
          .map((l) => l.trimEnd())
          .filter((l) => l.trim() !== '')
          .slice(0, 12)
          .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
        return r.code === 0
          ? { name: svc.name, state: 'running', detail: 'status exit 0', output }
          : { name: svc.name, state: 'stopped', detail: `status exit code ${r.code ?? r.signal}`, output };
      } catch (err) {
        return { name: svc.name, state: 'unknown', detail: errorText(err) };
      }
    },
  };
}
