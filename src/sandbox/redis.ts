// A throwaway Redis server on a free 127.0.0.1 port, no persistence, data dir in a temp dir.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, looksLikePortClash } from './ports.js';
import { signalGroup, spawnDaemon, stopDaemon, waitReady, type Daemon } from './proc.js';
import { createSandboxDir, purgeSync, trackPid } from './registry.js';
import { which } from './requirements.js';

export interface RedisSandboxOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '1mb']. */
  args?: string[];
  /** Require this password (AUTH) from clients. */
  requirepass?: string;
  /** Parent directory for the sandbox dir (default /tmp). */
  dir?: string;
  /** Readiness timeout (default 15 s). */
  timeoutMs?: number;
}

export interface RedisSandbox {
  host: string;
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  password?: string;
  /** The sandbox's temp directory (removed by stop()). */
  dir: string;
  logFile: string;
  /** Stop the server, wait until it is gone, delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stop the server but keep the port so start() can bring it back (empty: no persistence). */
  halt(): Promise<void>;
  /** (Re)start the server on the same port; no-op when running. */
  start(): Promise<void>;
  /** Server pid while running. */
  pid(): number | undefined;
  /** SIGSTOP the server: commands hang. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
}

/** Send PING over a raw socket; true on +PONG or -NOAUTH (both mean the server is serving). */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host });
    let buf = '';
    const done = (err: Error | undefined, ok = false): void => {
      sock.destroy();
      if (err) reject(err);
      else resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(new Error('PING timed out')));
    sock.once('error', (e) => done(e));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (!buf.includes('\r\n')) return;
      if (buf.startsWith('+PONG') || buf.startsWith('-NOAUTH')) done(undefined, true);
      else done(new Error(`PING answered ${JSON.stringify(buf.trim())}`));
    });
  });
}

/** Start a throwaway redis-server; resolves once it answers PING. */
export async function startRedis(opts: RedisSandboxOptions = {}): Promise<RedisSandbox> {
  const server = which('redis-server');
  if (!server) throw new Error('redis-server not found (install Debian package redis-server)');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const dir = createSandboxDir('redis', opts.dir);
  try {
    const logFile = join(dir, 'redis.log');
    writeFileSync(logFile, '');
    let port = 0;
    let daemon: Daemon | undefined;
    const launch = async (): Promise<void> => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      args.push('--dir', dir, '--daemonize', 'no', '--logfile', '', '--protected-mode', 'no');
      if (opts.requirepass !== undefined) args.push('--requirepass', opts.requirepass);
      args.push(...(opts.args ?? []));
      const d = spawnDaemon(server, args, { logFile, cwd: dir });
      daemon = d;
      trackPid(dir, d.pid, 'redis-server');
      await waitReady(`redis-server on 127.0.0.1:${port}`, d, () => redisPing(port), { timeoutMs, logFile });
    };
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (err) {
        if (daemon) await stopDaemon(daemon, 'SIGKILL', 1_000);
        if (attempt >= 3 || !looksLikePortClash((err as Error).message)) throw err;
      }
    }
    const running = (): Daemon | undefined => (daemon && !daemon.exited() ? daemon : undefined);
    const halt = async (): Promise<void> => {
      const d = running();
      if (d) await stopDaemon(d, 'SIGTERM', 10_000);
    };
    let stopping: Promise<void> | undefined;
    const pw = opts.requirepass;
    return {
      host: '127.0.0.1',
      port,
      url: pw !== undefined ? `redis://:${encodeURIComponent(pw)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
      ...(pw !== undefined ? { password: pw } : {}),
      dir,
      logFile,
      halt,
      async start() {
        if (stopping) throw new Error('redis sandbox was stopped for good; start a new one');
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
      freeze() {
        const d = running();
        if (d) signalGroup(d.pid, 'SIGSTOP');
      },
      thaw() {
        const d = running();
        if (d) signalGroup(d.pid, 'SIGCONT');
      },
    };
  } catch (err) {
    purgeSync(dir);
    throw err;
  }
}
