// Real-service sandbox: throwaway PostgreSQL, Redis and Docker engine for tests, `opsdeck demo`
// and benchmarks. No mocks — these are the real servers, torn down without leftovers.
import { startDocker, type DockerSandbox, type DockerSandboxOptions } from './docker.js';
import { startPostgres, type PgSandbox, type PgSandboxOptions } from './postgres.js';
import { startRedis, type RedisSandbox, type RedisSandboxOptions } from './redis.js';

export { startDocker, type DockerSandbox, type DockerSandboxOptions } from './docker.js';
export { SANDBOX_IMAGE, containerLogs, waitForContainer, waitForHealth, type ContainerSpec } from './docker-image.js';
export { startPostgres, type PgSandbox, type PgSandboxOptions } from './postgres.js';
export { freePort } from './ports.js';
export { redisPing, startRedis, type RedisSandbox, type RedisSandboxOptions } from './redis.js';
export { cleanupStale, sandboxBase, SANDBOX_PREFIX } from './registry.js';
export {
  checkRequirement,
  checkRequirements,
  findPostgresBin,
  findStaticBusybox,
  type RequirementName,
  type RequirementReport,
  type RequirementResult,
} from './requirements.js';

/** Which services to start; `true` means default options. */
export interface SandboxOptions {
  postgres?: boolean | PgSandboxOptions;
  redis?: boolean | RedisSandboxOptions;
  docker?: boolean | DockerSandboxOptions;
}

export interface Sandbox {
  postgres?: PgSandbox;
  redis?: RedisSandbox;
  docker?: DockerSandbox;
  /** Stop every started service (in parallel); idempotent. */
  stopAll(): Promise<void>;
}

const opt = <T extends object>(v: boolean | T | undefined): T | undefined =>
  v === undefined || v === false ? undefined : v === true ? ({} as T) : v;

/** Start the requested services in parallel; if any fails, stop the others and rethrow. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const pgOpts = opt(opts.postgres);
  const redisOpts = opt(opts.redis);
  const dockerOpts = opt(opts.docker);
  const results = await Promise.allSettled([
    pgOpts ? startPostgres(pgOpts) : Promise.resolve(undefined),
    redisOpts ? startRedis(redisOpts) : Promise.resolve(undefined),
    dockerOpts ? startDocker(dockerOpts) : Promise.resolve(undefined),
  ] as const);
  const [pg, redis, docker] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
    PgSandbox | undefined,
    RedisSandbox | undefined,
    DockerSandbox | undefined,
  ];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= Promise.all([pg?.stop(), redis?.stop(), docker?.stop()]).then(() => undefined);
    return stopping;
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length) {
    await stopAll();
    throw new Error(`sandbox failed to start:\n${failures.join('\n')}`);
  }
  return { ...(pg ? { postgres: pg } : {}), ...(redis ? { redis } : {}), ...(docker ? { docker } : {}), stopAll };
}
