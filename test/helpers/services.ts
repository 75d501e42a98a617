// Typed access to the shared sandbox services that test/global-setup.ts starts once per run.
// Shared servers are used by many test files at once: create uniquely named tables, keys and
// containers (see uniqueName) and never stop, freeze or reconfigure them — start your own
// instance (startPostgres/startRedis/startDocker) for that.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Coordinates of the shared PostgreSQL (trust auth, superuser `postgres`). */
export interface PgService {
  host: string;
  port: number;
  socketDir: string;
  user: string;
  database: string;
  url: string;
}

/** Coordinates of the shared Redis (no password). */
export interface RedisService {
  host: string;
  port: number;
  url: string;
}

/** Coordinates of the shared Docker engine. */
export interface DockerService {
  socketPath: string;
  image: string;
}

/** Either the service's coordinates or why it could not be started. */
export type Availability<T> = { available: true; service: T } | { available: false; reason: string };

export type ServiceName = 'postgres' | 'redis' | 'docker';

declare module 'vitest' {
  interface ProvidedContext {
    sandboxPostgres: Availability<PgService>;
    sandboxRedis: Availability<RedisService>;
    sandboxDocker: Availability<DockerService>;
  }
}

const keys = { postgres: 'sandboxPostgres', redis: 'sandboxRedis', docker: 'sandboxDocker' } as const;
const warned = new Set<ServiceName>();

function availability(name: ServiceName): Availability<unknown> {
  return inject(keys[name]);
}

/**
 * For `describe.skipIf(unavailable('postgres'))`: the reason the shared service is missing
 * (printed once per file as a warning), or false when it is up.
 */
export function unavailable(name: ServiceName): string | false {
  const a = availability(name);
  if (a.available) return false;
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`[sandbox] skipping ${name} tests: ${a.reason}`);
  }
  return a.reason;
}

function need<T>(name: ServiceName, a: Availability<T>): T {
  if (!a.available) throw new Error(`shared ${name} sandbox unavailable: ${a.reason}`);
  return a.service;
}

/** The shared PostgreSQL; throws when it is unavailable (guard with unavailable('postgres')). */
export function postgresService(): PgService {
  return need('postgres', inject('sandboxPostgres'));
}

/** The shared Redis; throws when it is unavailable (guard with unavailable('redis')). */
export function redisService(): RedisService {
  return need('redis', inject('sandboxRedis'));
}

/** The shared Docker engine; throws when it is unavailable (guard with unavailable('docker')). */
export function dockerService(): DockerService {
  return need('docker', inject('sandboxDocker'));
}

/** A name unique across concurrently running test files: `<prefix>_<random hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
