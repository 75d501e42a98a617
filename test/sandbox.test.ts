// Smoke tests proving the sandbox services are the real servers and that teardown leaves no
// process, directory, mount or cgroup behind.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { DockerEngine } from '../src/docker/index.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  checkRequirement,
  cleanupStale,
  containerLogs,
  startDocker,
  startPostgres,
  startSandbox,
  waitForContainer,
  waitForHealth,
} from '../src/sandbox/index.js';
import { isAlive } from '../src/sandbox/proc.js';
import { dockerService, postgresService, redisService, uniqueName, unavailable } from './helpers/services.js';
import { waitForText } from './helpers/wait.js';

async function sql<T extends pg.QueryResultRow>(
  config: string | pg.ClientConfig,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client(typeof config === 'string' ? { connectionString: config } : config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir));

describe('requirements', () => {
  it('names the Debian package for each binary', () => {
    expect(checkRequirement('redis').debianPackage).toBe('redis-server');
    expect(checkRequirement('docker').debianPackage).toBe('docker.io');
    expect(checkRequirement('busybox').debianPackage).toBe('busybox-static');
    expect(checkRequirement('postgres').debianPackage).toBe('postgresql');
  });
});

describe.skipIf(unavailable('postgres'))('shared postgres', () => {
  it('answers select version() and round-trips rows over TCP and the unix socket', async () => {
    const svc = postgresService();
    const [v] = await sql<{ version: string }>(svc.url, 'select version()');
    expect(v?.version).toMatch(/^PostgreSQL \d+/);
    const table = uniqueName('smoke');
    await sql(svc.url, `create table ${table} (id int primary key, note text)`);
    await sql(svc.url, `insert into ${table} values ($1, $2), ($3, $4)`, [1, 'one', 2, 'two']);
    const viaSocket = { host: svc.socketDir, port: svc.port, user: svc.user, database: svc.database };
    expect(await sql(viaSocket, `select id, note from ${table} order by id`)).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
    await sql(svc.url, `drop table ${table}`);
  });
});

describe.skipIf(unavailable('redis'))('shared redis', () => {
  it('round-trips SET/GET', async () => {
    const redis = new Redis(redisService().url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const key = uniqueName('smoke');
      expect(await redis.set(key, 'hello', 'EX', 60)).toBe('OK');
      expect(await redis.get(key)).toBe('hello');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(unavailable('docker'))('shared docker', () => {
  const svc = (): { docker: Docker; image: string } => {
    const s = dockerService();
    return { docker: new Docker({ socketPath: s.socketPath }), image: s.image };
  };

  it('runs a labelled container with no network, reads its demultiplexed logs and stops it', async () => {
    const { docker, image } = svc();
    const name = uniqueName('hello');
    const container = await docker.createContainer({
      name,
      Image: image,
      Cmd: ['sh', '-c', 'echo "ready on stdout"; echo "warn on stderr" >&2; exec sleep 3600'],
      Labels: { 'opsdeck.test': name },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const ours = new DockerEngine({ socketPath: dockerService().socketPath }).container(container.id);
    try {
      await waitForText(async () => (await containerLogs(ours)).stdout, 'ready on stdout', { timeoutMs: 10_000 });
      expect((await containerLogs(ours)).stderr).toBe('warn on stderr\n');
      const listed = await docker.listContainers({ filters: { label: [`opsdeck.test=${name}`] } });
      expect(listed.map((c) => c.Names[0])).toEqual([`/${name}`]);
      const info = await container.inspect();
      expect(info.HostConfig.NetworkMode).toBe('none');
      await container.stop({ t: 0 });
      expect((await container.inspect()).State.Status).toBe('exited');
    } finally {
      await container.remove({ force: true });
    }
  });

  it('reports a failing healthcheck as unhealthy', async () => {
    const s = dockerService();
    const docker = new Docker({ socketPath: s.socketPath });
    const container = await docker.createContainer({
      name: uniqueName('sick'),
      Image: s.image,
      Cmd: ['sleep', '3600'],
      Healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 200e6, Timeout: 1e9, Retries: 1 },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    try {
      const info = await waitForHealth(
        new DockerEngine({ socketPath: s.socketPath }).container(container.id),
        'unhealthy',
        15_000,
      );
      expect(info.State.Running).toBe(true);
    } finally {
      await container.remove({ force: true });
    }
  });
});

describe.skipIf(unavailable('postgres'))('own postgres instance', () => {
  it('enforces passwords and settings, halts, restarts, freezes, and stop() leaves nothing', async () => {
    const pw = { user: 'app', password: 's3cret' };
    const pgs = await startPostgres({ password: pw, database: 'appdb', settings: { max_connections: '10' } });
    try {
      expect(pgs.url).toBe(`postgres://app:s3cret@127.0.0.1:${pgs.port}/appdb`);
      const [row] = await sql<{ u: string; mc: string }>(
        pgs.url,
        "select current_user as u, current_setting('max_connections') as mc",
      );
      expect(row).toEqual({ u: 'app', mc: '10' });
      await expect(sql(pgs.url.replace(':s3cret@', ':wrong@'), 'select 1')).rejects.toMatchObject({ code: '28P01' });

      await pgs.halt();
      expect(pgs.pid()).toBeUndefined();
      await expect(sql(pgs.adminUrl, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await pgs.start();
      expect(await sql(pgs.adminUrl, 'select 1 as one')).toEqual([{ one: 1 }]);

      pgs.freeze();
      const frozen = { connectionString: pgs.adminUrl, connectionTimeoutMillis: 500 };
      await expect(sql(frozen, 'select 1')).rejects.toThrow(/timeout/i);
      pgs.thaw();
      expect(await sql(pgs.adminUrl, 'select 2 as two')).toEqual([{ two: 2 }]);
    } finally {
      const pid = pgs.pid();
      await pgs.stop();
      await pgs.stop(); // idempotent
      expect(pid !== undefined && isAlive(pid)).toBe(false);
      expect(existsSync(pgs.dir)).toBe(false);
    }
  });
});

describe.skipIf(unavailable('redis'))('own redis instance', () => {
  it('applies requirepass and extra args; startSandbox().stopAll() leaves nothing', async () => {
    const sb = await startSandbox({ redis: { requirepass: 'pw', args: ['--maxmemory', '1mb'] } });
    const r = sb.redis;
    expect(r).toBeDefined();
    if (!r) return;
    const pid = r.pid();
    const anon = new Redis({
      port: r.port,
      host: r.host,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
    });
    anon.on('error', () => undefined);
    await anon.connect();
    await expect(anon.ping()).rejects.toThrow(/NOAUTH/);
    anon.disconnect();
    const authed = new Redis(r.url, { lazyConnect: true });
    await authed.connect();
    expect(await authed.config('GET', 'maxmemory')).toEqual(['maxmemory', '1048576']);
    authed.disconnect();
    await sb.stopAll();
    await sb.stopAll();
    expect(pid !== undefined && isAlive(pid)).toBe(false);
    expect(existsSync(r.dir)).toBe(false);
  });

  it('cleanupStale() removes the sandbox of a process that was SIGKILLed', async () => {
    const script = [
      "import { startRedis } from './src/sandbox/redis.ts';",
      'const r = await startRedis();',
      'console.log(JSON.stringify({ dir: r.dir, pid: r.pid() }));',
    ].join(' ');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `${script} setInterval(() => {}, 1000);`],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim().split('\n').pop() ?? '');
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code ?? 'signal'})`)));
    });
    const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
    child.kill('SIGKILL'); // no exit hooks run: the redis server is orphaned
    await new Promise((r) => child.once('exit', r));
    expect(isAlive(pid)).toBe(true);
    expect(cleanupStale()).toContain(dir);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(unavailable('docker'))('own docker engine', () => {
  it('stop() removes containers, dockerd, containerd, mounts, cgroups and the directory', async () => {
    const dk = await startDocker();
    const dockerdPid = dk.pid();
    const c = await dk.runContainer({ name: 'sleeper', labels: { 'opsdeck.test': 'own' }, cmd: ['sleep', '3600'] });
    const info = await waitForContainer(c, (i) => i.State.Running, 'running');
    const containerPid = info.State.Pid ?? 0;
    expect(containerPid).toBeGreaterThan(0);
    expect(mountsUnder(dk.dir).length).toBeGreaterThan(0);
    await dk.stop();
    await dk.stop();
    expect(dockerdPid !== undefined && isAlive(dockerdPid)).toBe(false);
    expect(isAlive(containerPid)).toBe(false);
    expect(existsSync(dk.dir)).toBe(false);
    expect(mountsUnder(dk.dir)).toEqual([]);
    expect(existsSync(`/sys/fs/cgroup/pids/${basename(dk.dir)}`)).toBe(false);
  });
});
