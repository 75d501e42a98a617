// A throwaway PostgreSQL cluster: initdb into a temp dir, postmaster on a free 127.0.0.1 port and
// a unix socket in the same dir, trust auth by default or a password role for auth tests.
import { spawn } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, looksLikePortClash } from './ports.js';
import {
  listProcs,
  logTail,
  signal,
  spawnDaemon,
  withDescendants,
  stopDaemon,
  waitReady,
  type Daemon,
} from './proc.js';
import { createSandboxDir, purgeSync, trackPid } from './registry.js';
import { checkRequirement, findPostgresBin } from './requirements.js';

export interface PgSandboxOptions {
  /** Extra server settings passed as `-c key=value` (override the fast, non-durable defaults). */
  settings?: Record<string, string>;
  /** Database to create (owned by the password role when there is one). Default `postgres`. */
  database?: string;
  /** Create a login role with this password; TCP logins for it then need the password. */
  password?: { user: string; password: string; method?: 'scram-sha-256' | 'md5' };
  /** Parent directory for the sandbox dir (default /tmp). */
  dir?: string;
  /** Readiness timeout (default 30 s). */
  timeoutMs?: number;
}

export interface PgSandbox {
  host: string;
  port: number;
  socketDir: string;
  dataDir: string;
  /** The sandbox's temp directory (removed by stop()). */
  dir: string;
  logFile: string;
  /** Login role of `url`: the password role when configured, else the superuser `postgres`. */
  user: string;
  password?: string;
  database: string;
  /** postgres://user[:password]@127.0.0.1:port/database */
  url: string;
  /** Superuser URL over TCP (trusted): postgres://postgres@127.0.0.1:port/database */
  adminUrl: string;
  /** Stop the server, wait until all its processes are gone, delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stop the server (fast shutdown) but keep data and port so start() can bring it back. */
  halt(): Promise<void>;
  /** (Re)start the server on the same port and data dir; no-op when running. */
  start(): Promise<void>;
  /** Postmaster pid while running. */
  pid(): number | undefined;
  /** SIGSTOP the whole server (postmaster and backends): connections hang. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
}

const SUPERUSER = 'postgres';

/** uid/gid of a user from /etc/passwd. */
function lookupUser(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Run a short-lived command to completion (argv, output appended to a log file). */
function runToLog(
  cmd: string,
  args: string[],
  logFile: string,
  cwd: string,
  ids: { uid?: number; gid?: number },
): Promise<void> {
  const fd = openSync(logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd], ...ids });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} failed (code ${code ?? 'none'}, signal ${sig ?? 'none'}):\n${logTail(logFile)}`));
    });
  }).finally(() => closeSync(fd));
}

function hbaConf(password: PgSandboxOptions['password']): string {
  const remote = password ? (password.method ?? 'scram-sha-256') : 'trust';
  return [
    'local all all trust',
    `host all ${SUPERUSER} 127.0.0.1/32 trust`,
    `host all ${SUPERUSER} ::1/128 trust`,
    `host all all 127.0.0.1/32 ${remote}`,
    `host all all ::1/128 ${remote}`,
    '',
  ].join('\n');
}

async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionTimeoutMillis: 2_000, ...config });
  client.on('error', () => undefined); // a dying server must not crash the process
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Start a throwaway PostgreSQL server; resolves once it accepts SQL over TCP. */
export async function startPostgres(opts: PgSandboxOptions = {}): Promise<PgSandbox> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      `PostgreSQL server not available: ${checkRequirement('postgres').problem} (install Debian package postgresql)`,
    );
  const root = process.getuid?.() === 0;
  const ids: { uid?: number; gid?: number } | undefined = root ? lookupUser('postgres') : {};
  if (!ids)
    throw new Error(
      'running as root but there is no OS user "postgres" to run the server (install Debian package postgresql)',
    );
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const dir = createSandboxDir('postgres', opts.dir);
  try {
    const dataDir = join(dir, 'data');
    const socketDir = join(dir, 'run');
    const logFile = join(dir, 'postgres.log');
    mkdirSync(socketDir, { mode: 0o700 });
    writeFileSync(logFile, '');
    if (ids.uid !== undefined && ids.gid !== undefined)
      for (const p of [dir, socketDir, logFile]) chownSync(p, ids.uid, ids.gid);
    await runToLog(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      join(dir, 'initdb.log'),
      dir,
      ids,
    );
    writeFileSync(join(dataDir, 'pg_hba.conf'), hbaConf(opts.password));
    const settings: Record<string, string> = {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: '16MB',
      logging_collector: 'off',
      unix_socket_permissions: '0777',
      ...opts.settings,
    };
    let port = 0;
    let daemon: Daemon | undefined;
    const launch = async (): Promise<void> => {
      const args = ['-D', dataDir, '-k', socketDir, '-h', '127.0.0.1', '-p', String(port)];
      for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
      const d = spawnDaemon(join(bin, 'postgres'), args, { logFile, cwd: dir, ...ids });
      daemon = d;
      trackPid(dir, d.pid, 'postgres');
      const probe = (): Promise<boolean> =>
        withClient({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' }, async (c) => {
          await c.query('select 1');
          return true;
        });
      await waitReady(`postgres on 127.0.0.1:${port}`, d, probe, { timeoutMs, logFile });
    };
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (err) {
        if (daemon) await stopDaemon(daemon, 'SIGQUIT', 2_000);
        if (attempt >= 3 || !looksLikePortClash((err as Error).message)) throw err;
      }
    }

    const database = opts.database ?? 'postgres';
    const pw = opts.password;
    await withClient({ host: socketDir, port, user: SUPERUSER, database: 'postgres' }, async (c) => {
      if (pw) {
        await c.query(`set password_encryption = ${c.escapeLiteral(pw.method === 'md5' ? 'md5' : 'scram-sha-256')}`);
        await c.query(`create role ${c.escapeIdentifier(pw.user)} login password ${c.escapeLiteral(pw.password)}`);
      }
      if (database !== 'postgres') {
        const owner = pw ? ` owner ${c.escapeIdentifier(pw.user)}` : '';
        await c.query(`create database ${c.escapeIdentifier(database)}${owner}`);
      }
    });

    const user = pw?.user ?? SUPERUSER;
    const auth = pw ? `${encodeURIComponent(pw.user)}:${encodeURIComponent(pw.password)}` : SUPERUSER;
    const db = encodeURIComponent(database);
    let stopping: Promise<void> | undefined;
    const running = (): Daemon | undefined => (daemon && !daemon.exited() ? daemon : undefined);
    const halt = async (): Promise<void> => {
      const d = running();
      if (d) await stopDaemon(d, 'SIGINT', 15_000);
    };
    return {
      host: '127.0.0.1',
      port,
      socketDir,
      dataDir,
      dir,
      logFile,
      user,
      ...(pw ? { password: pw.password } : {}),
      database,
      url: `postgres://${auth}@127.0.0.1:${port}/${db}`,
      adminUrl: `postgres://${SUPERUSER}@127.0.0.1:${port}/${db}`,
      halt,
      async start() {
        if (stopping) throw new Error('postgres sandbox was stopped for good; start a new one');
        if (!running()) await launch();
      },
      stop() {
        stopping ??= (async () => {
          try {
            await halt();
          } finally {
            purgeSync(dir);
          }
        })();
        return stopping;
      },
      pid: () => running()?.pid,
      // Backends call setsid(), so the postmaster's process group does not reach them:
      // signal the whole process tree instead.
      freeze() {
        const d = running();
        if (d) for (const pid of withDescendants([d.pid], listProcs())) signal(pid, 'SIGSTOP');
      },
      thaw() {
        const d = running();
        if (d) for (const pid of withDescendants([d.pid], listProcs())) signal(pid, 'SIGCONT');
      },
    };
  } catch (err) {
    purgeSync(dir);
    throw err;
  }
}
