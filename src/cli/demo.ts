// `opsdeck demo`: throwaway PostgreSQL (seeded with an `incidents` schema), Redis (with
// `cache:*` keys) and, where an engine can be started, Docker with labelled containers (one
// unhealthy); a config pointing at them; the console against it; everything removed on exit.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../config/resolve.js';
import {
  startDocker,
  startPostgres,
  startRedis,
  type DockerSandbox,
  type PgSandbox,
  type RedisSandbox,
  waitForHealth,
} from '../sandbox/index.js';

export interface DemoOptions {
  readOnly: boolean;
  /** Without a TTY: print a status, keep the sandbox up this many seconds, then clean up. */
  keepSeconds: number | undefined;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface DemoSandbox {
  postgres: PgSandbox;
  redis: RedisSandbox;
  docker: DockerSandbox | null;
  configPath: string;
  stop(): Promise<void>;
}

/** Seeds the demo database with the manual's `incidents` table and a few thousand rows. */
export async function seedPostgres(url: string, rows = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'opsdeck-demo-seed' });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE NOT NULL);
      CREATE TABLE IF NOT EXISTS incidents (
        id serial PRIMARY KEY, title text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('Critical','High','Medium','Low')),
        status text NOT NULL DEFAULT 'open', assignee_id int REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(), resolved_at timestamptz);
      CREATE INDEX IF NOT EXISTS incidents_status_idx ON incidents (status);
      INSERT INTO users (name, email)
        SELECT 'operator ' || g, 'op' || g || '@example.invalid' FROM generate_series(1, 25) g ON CONFLICT DO NOTHING;
      INSERT INTO incidents (title, priority, status, assignee_id, created_at, resolved_at)
        SELECT 'incident #' || g,
               (ARRAY['Critical','High','Medium','Low'])[1 + g % 4],
               (ARRAY['open','in_progress','resolved','closed'])[1 + (g / 7) % 4],
               1 + g % 25, now() - (g || ' minutes')::interval,
               CASE WHEN g % 3 = 0 THEN now() - (g / 2 || ' minutes')::interval END
        FROM generate_series(1, ${Math.floor(rows)}) g;
      ANALYZE;`);
  } finally {
    await client.end();
  }
}

/** Seeds Redis with `cache:*` keys, some with a TTL and some without. */
export async function seedRedis(url: string, keys = 200): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const pipe = redis.pipeline();
    for (let i = 0; i < keys; i++) {
      if (i % 2 === 0) pipe.set(`cache:incident:${i}`, JSON.stringify({ id: i, title: `incident #${i}` }), 'EX', 3600);
      else pipe.set(`cache:user:${i}`, `operator ${i}`);
    }
    pipe.hset('session:demo', { user: 'operator 1', since: Date.now().toString() });
    await pipe.exec();
    for (let i = 0; i < 50; i++) await redis.get(`cache:incident:${i}`);
  } finally {
    redis.disconnect();
  }
}

/** Starts and seeds the demo services and writes a config pointing at them. */
export async function startDemoSandbox(log: (line: string) => void): Promise<DemoSandbox> {
  const [postgres, redis] = await Promise.all([
    startPostgres({ database: 'itsm_db' }),
    startRedis({ args: ['--maxmemory', '64mb'] }),
  ]);
  let docker: DockerSandbox | null = null;
  const stop = async () => {
    await Promise.all([postgres.stop(), redis.stop(), docker?.stop()]);
  };
  try {
    await Promise.all([seedPostgres(postgres.adminUrl), seedRedis(redis.url)]);
    try {
      docker = await startDocker();
      const labels = { 'com.docker.compose.project': 'itsm', 'opsdeck.demo': 'true' };
      await docker.runContainer({
        name: 'itsm-backend',
        labels: { ...labels, 'com.docker.compose.service': 'backend' },
        cmd: [
          'sh',
          '-c',
          'i=0; while true; do i=$((i+1)); echo "INFO request $i handled"; ' +
            '[ $((i % 7)) -eq 0 ] && echo "ERROR upstream timeout on request $i" >&2; sleep 2; done',
        ],
        healthcheck: { test: ['CMD', 'sh', '-c', 'exit 0'], intervalMs: 2000, timeoutMs: 10_000, retries: 3 },
      });
      const worker = await docker.runContainer({
        name: 'itsm-worker',
        labels: { ...labels, 'com.docker.compose.service': 'worker' },
        cmd: ['sh', '-c', 'echo worker up; exec sleep 86400'],
        healthcheck: { test: ['CMD', 'false'], intervalMs: 1000, retries: 1 },
      });
      await docker.runContainer({
        name: 'itsm-nginx',
        labels: { ...labels, 'com.docker.compose.service': 'nginx' },
        cmd: ['sh', '-c', 'echo nginx started; exec sleep 86400'],
      });
      // So that the first frame already shows the unhealthy container the demo is about.
      await waitForHealth(worker, 'unhealthy', 15_000).catch(() => undefined);
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      log(`demo: no Docker engine for the sandbox (${why}); continuing without containers`);
    }
    const configPath = path.join(postgres.dir, 'opsdeck-demo.yaml');
    writeFileSync(configPath, demoConfig(postgres, redis, docker), { mode: 0o600 });
    return { postgres, redis, docker, configPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The config's services entry for the sandbox's redis-server: started, stopped and checked by its own commands. */
function redisServiceLine(port: number): string {
  const start = `[redis-server, --port, "${port}", --bind, 127.0.0.1, --save, "", --daemonize, "yes"]`;
  const stop = `[redis-cli, -p, "${port}", shutdown, nosave]`;
  const status = `[redis-cli, -p, "${port}", ping]`;
  return `  - { name: redis, group: database, start: ${start}, stop: ${stop}, status: ${status} }`;
}

function demoConfig(postgres: PgSandbox, redis: RedisSandbox, docker: DockerSandbox | null): string {
  return [
    '# Written by `opsdeck demo`: throwaway services, removed when the demo ends.',
    'discover: false',
    'targets:',
    `  postgres: { host: 127.0.0.1, port: ${postgres.port}, user: postgres, database: itsm_db }`,
    `  redis: { url: "redis://127.0.0.1:${redis.port}/0" }`,
    docker
      ? `  docker: { socket: ${JSON.stringify(docker.socketPath)}, statsInterval: 5s }`
      : '  docker: { enabled: false }',
    'audit:',
    `  path: ${JSON.stringify(path.join(postgres.dir, 'audit.jsonl'))}`,
    'backups:',
    `  dir: ${JSON.stringify(path.join(postgres.dir, 'backups'))}`,
    '  databases: [itsm_db]',
    '  verifyQueries:',
    '    - { database: itsm_db, sql: "SELECT COUNT(*) FROM incidents" }',
    'services:',
    redisServiceLine(redis.port),
    ...(docker
      ? [
          `  - { name: backend, group: application, container: itsm-backend }`,
          `  - { name: worker, group: application, container: itsm-worker }`,
          'logs:',
          '  sources:',
          '    - { name: backend, container: itsm-backend }',
        ]
      : []),
    '',
  ].join('\n');
}

/** Runs the demo: sandbox up, console (or a status without a TTY), sandbox down. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const log = (line: string) => opts.stderr.write(`${line}\n`);
  log('demo: starting throwaway PostgreSQL, Redis and Docker …');
  const sandbox = await startDemoSandbox(log);
  try {
    const config = await loadConfig({ configPath: sandbox.configPath, readOnly: opts.readOnly });
    if (!opts.stdout.isTTY) {
      log(`demo: sandbox ready; config at ${sandbox.configPath}`);
      const { runStatus } = await import('./status.js');
      const code = await runStatus({ config, json: false, stdout: opts.stdout });
      if (opts.keepSeconds) await new Promise((r) => setTimeout(r, opts.keepSeconds! * 1000));
      return code;
    }
    const { runConsole } = await import('../ui/run-console.js');
    return await runConsole(config);
  } finally {
    log('demo: removing the sandbox …');
    await sandbox.stop();
  }
}
