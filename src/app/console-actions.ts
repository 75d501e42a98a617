// What the console can do, built once per session from the config: the one guard and audit trail
// every action goes through, plan builders for containers and services, service statuses, the
// audit tail and log tails. The modules behind them (the Docker client, pg, ioredis, node-pty) load on
// first use, so they cost the first frame nothing. Views receive this object, never the clients.
import type { DockerEngine } from '../docker/index.js';
import { readAudit, type AuditEntry, type AuditSink } from '../plan/audit.js';
import { createActionLayer } from './action-layer.js';
import { ActionError } from '../plan/errors.js';
import { ActionGuard } from '../plan/guard.js';
import type { Plan } from '../plan/plan.js';
import type { ServiceStatus } from '../actions/service-drivers.js';
import type { OneServiceVerb, ServiceDeps } from '../actions/services.js';
import { healthChecker } from './health-checker.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import type { LogSourceConfig, ServiceConfig } from '../config/schema.js';
import type { LogTail, TailFrame } from '../logs/tail.js';

export type ContainerVerb = 'start' | 'stop' | 'restart';
export type ServiceVerb = 'start' | 'stop';

/** The console's action capabilities; no client or handle leaves this object except through these calls. */
export interface ConsoleActions {
  guard: ActionGuard;
  audit: AuditSink;
  services: readonly ServiceConfig[];
  logSources: readonly LogSourceConfig[];
  /** The newest `limit` audit entries, oldest first. */
  readAudit(limit: number): Promise<AuditEntry[]>;
  containerPlan(verb: ContainerVerb, name: string): Promise<Plan>;
  servicePlan(verb: OneServiceVerb, name: string): Promise<Plan>;
  allServicesPlan(verb: ServiceVerb): Promise<Plan>;
  /** Cancel the query of, or terminate, PostgreSQL session `pid` (never opsdeck's own). */
  pgSessionPlan(verb: 'cancel' | 'terminate', pid: number, label?: string): Promise<Plan>;
  serviceStatuses(signal: AbortSignal): Promise<ServiceStatus[]>;
  /** What service plans run with (Docker client, compose command, database clients) — shared with other views. */
  serviceDeps(): Promise<ServiceDeps>;
  openLogTail(source: LogSourceConfig, onFrame: (frame: TailFrame) => void): Promise<LogTail>;
  /** The log sources this host has (journal, /var/log files, services' units, containers): for no logs.sources. */
  discoverLogSources(): Promise<LogSourceConfig[]>;
  /** Polls every probe now (after an action), when the scheduler is running. */
  refreshNow(): void;
  dispose(): void;
}

/** The parts of the config actions need. */
export type ActionConfig = Pick<
  OpsdeckConfig,
  'readOnly' | 'auditPath' | 'docker' | 'services' | 'startOrder' | 'logs' | 'postgres' | 'redis'
> &
  Partial<Pick<OpsdeckConfig, 'checks' | 'defaultChecks'>>;

export interface ConsoleActionOptions {
  /** Defaults: a lapsing guard on the wall clock, and the 0600 audit file of the config. */
  guard?: ActionGuard;
  audit?: AuditSink;
  refreshNow?: () => void;
  env?: NodeJS.ProcessEnv;
  /** Service deps overrides (tests: poll faster). */
  serviceDeps?: Partial<ServiceDeps>;
  /** Where log sources are looked for (tests: a temp /var/log, the journalctl to ask). */
  discover?: { varLog?: string; journalctl?: string };
}

/** The console's action capabilities for `config`. */
export function createConsoleActions(config: ActionConfig, opts: ConsoleActionOptions = {}): ConsoleActions {
  // The one guard and audit trail of this console, unless a test hands in its own.
  const layer = createActionLayer(config, opts.env ? { env: opts.env } : {});
  const audit = opts.audit ?? layer.audit;
  const guard = opts.guard ?? (opts.audit ? new ActionGuard({ readOnly: config.readOnly, audit }) : layer.guard);
  let docker: Promise<DockerEngine> | null = null;
  const dockerClient = () => {
    if (!config.docker)
      return Promise.reject(
        new ActionError(
          'not_supported',
          'Docker is not configured and no engine was found (set targets.docker or DOCKER_HOST)',
        ),
      );
    const conn = config.docker;
    docker ??= import('../docker/client.js').then((m) => m.dockerClient(conn));
    return docker;
  };
  let deps: Promise<ServiceDeps> | null = null;
  const serviceDeps = (): Promise<ServiceDeps> => {
    deps ??= (async () => {
      const [{ databaseClientsOf }, { detectCompose }] = await Promise.all([
        import('../actions/blast-radius.js'),
        import('../actions/service-drivers.js'),
      ]);
      const needsDocker = config.services.some((s) => s.container !== undefined);
      const needsCompose = config.services.some((s) => s.compose !== undefined);
      const health = healthChecker(
        { checks: config.checks ?? [], defaultChecks: config.defaultChecks ?? [], postgres: config.postgres },
        opts.env,
      );
      return {
        ...(health ? { health } : {}),
        docker: needsDocker && config.docker ? await dockerClient() : null,
        stopTimeoutMs: config.docker?.stopTimeout ?? 10_000,
        clientsOf: databaseClientsOf(config),
        // Detected once, not on every status poll (it runs `docker compose version`).
        ...(needsCompose ? { compose: await detectCompose(opts.env ? { env: opts.env } : {}) } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        ...opts.serviceDeps,
      };
    })();
    deps.catch(() => (deps = null));
    return deps;
  };
  const services = () => import('../actions/services.js');
  return {
    guard,
    audit,
    services: config.services,
    logSources: config.logs.sources,
    readAudit: (limit) => readAudit(config.auditPath, limit),
    containerPlan: async (verb, name) => {
      const [{ containerPlan }, d] = await Promise.all([import('../actions/containers.js'), dockerClient()]);
      return containerPlan(d, verb, name, { stopTimeoutMs: config.docker?.stopTimeout ?? 10_000 });
    },
    servicePlan: async (verb, name) => (await services()).servicePlan(config.services, verb, name, await serviceDeps()),
    allServicesPlan: async (verb) => {
      if (config.services.length === 0)
        throw new ActionError('not_supported', 'no services are configured (add a services: list to the config)');
      return (await services()).allServicesPlan(config.services, verb, config.startOrder, await serviceDeps());
    },
    pgSessionPlan: async (verb, pid, label) => {
      if (!config.postgres)
        throw new ActionError('not_supported', 'PostgreSQL is not configured (set targets.postgres or PGHOST)');
      const { pgSessionPlan } = await import('../actions/pg-sessions.js');
      return pgSessionPlan(config.postgres, verb, pid, label);
    },
    serviceStatuses: async (signal) => (await services()).serviceStatuses(config.services, await serviceDeps(), signal),
    serviceDeps,
    openLogTail: async (source, onFrame) => {
      const { openLogTail } = await import('../logs/tail.js');
      const d = source.container !== undefined ? await dockerClient().catch(() => null) : null;
      return openLogTail({
        source,
        bufferLines: config.logs.bufferLines,
        docker: d,
        onFrame,
        ...(opts.env ? { env: opts.env } : {}),
      });
    },
    discoverLogSources: async () => {
      const { discoverSources } = await import('../logs/discover.js');
      return discoverSources({ services: config.services, ...opts.discover, ...(opts.env ? { env: opts.env } : {}) });
    },
    refreshNow: () => opts.refreshNow?.(),
    dispose: () => guard.dispose(),
  };
}
