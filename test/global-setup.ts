// Runs once per vitest run: removes leftovers of crashed earlier runs, starts ONE shared
// PostgreSQL, Redis and Docker sandbox and hands their coordinates to tests via provide/inject
// (see test/helpers/services.ts). With CI=true a service that cannot start fails the run;
// locally it is marked unavailable and the tests that need it skip with the reason.
import type { TestProject } from 'vitest/node';
import {
  checkRequirements,
  cleanupStale,
  startDocker,
  startPostgres,
  startRedis,
  type RequirementName,
} from '../src/sandbox/index.js';
import type { Availability, ServiceName } from './helpers/services.js';

interface Started<T> {
  availability: Availability<T>;
  stop?: () => Promise<void>;
  ms: number;
}

async function bring<T>(
  name: ServiceName,
  needs: RequirementName[],
  start: () => Promise<{ info: T; stop: () => Promise<void> }>,
): Promise<Started<T>> {
  const t0 = Date.now();
  const req = checkRequirements(needs);
  if (!req.ok) return { availability: { available: false, reason: req.message }, ms: 0 };
  try {
    const { info, stop } = await start();
    return { availability: { available: true, service: info }, stop, ms: Date.now() - t0 };
  } catch (err) {
    return {
      availability: { available: false, reason: `${name} failed to start: ${(err as Error).message}` },
      ms: Date.now() - t0,
    };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stale = cleanupStale();
  if (stale.length)
    console.warn(`[sandbox] removed ${stale.length} stale sandbox dir(s) of earlier runs: ${stale.join(', ')}`);

  const [pg, redis, docker] = await Promise.all([
    bring('postgres', ['postgres'], async () => {
      const s = await startPostgres();
      const { host, port, socketDir, user, database, url } = s;
      return { info: { host, port, socketDir, user, database, url }, stop: () => s.stop() };
    }),
    bring('redis', ['redis'], async () => {
      const s = await startRedis();
      return { info: { host: s.host, port: s.port, url: s.url }, stop: () => s.stop() };
    }),
    bring('docker', ['docker', 'busybox'], async () => {
      const s = await startDocker();
      return { info: { socketPath: s.socketPath, image: s.image }, stop: () => s.stop() };
    }),
  ]);
  const all = { postgres: pg, redis, docker };
  const teardown = async (): Promise<void> => {
    await Promise.all(Object.values(all).map((s) => s.stop?.()));
    cleanupStale();
  };

  const down = Object.entries(all).flatMap(([n, s]) =>
    s.availability.available ? [] : [`${n}: ${s.availability.reason}`],
  );
  if (down.length && process.env.CI === 'true') {
    await teardown();
    throw new Error(`[sandbox] CI=true and shared services could not start:\n${down.join('\n')}`);
  }
  for (const d of down) console.warn(`[sandbox] UNAVAILABLE — tests needing it will skip. ${d}`);
  const up = Object.entries(all).flatMap(([n, s]) => (s.availability.available ? [`${n} ${s.ms} ms`] : []));
  if (up.length) console.log(`[sandbox] shared services up: ${up.join(', ')}`);

  project.provide('sandboxPostgres', pg.availability);
  project.provide('sandboxRedis', redis.availability);
  project.provide('sandboxDocker', docker.availability);
  return teardown;
}
