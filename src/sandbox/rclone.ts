// A real rclone remote on loopback for tests and benchmarks: `rclone serve webdav` (no checksums:
// copies are read back) or `rclone serve sftp` (md5/sha1) over a temp directory, with a user and
// password. The server takes its credentials from its environment (RCLONE_USER / RCLONE_PASS), so
// no password is on any command line; the client side is described by RCLONE_CONFIG_<NAME>_*
// variables (clientEnv), as an operator would define a remote without a config file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.js';
import { checkRequirement } from './requirements.js';

export interface RcloneServer {
  kind: 'webdav' | 'sftp';
  /** The directory served. */
  dir: string;
  port: number;
  pid: number;
  /** RCLONE_CONFIG_<NAME>_* for a client of this server (the password obscured, as rclone wants it). */
  clientEnv(name: string): Record<string, string>;
  /** Kills the server at once (SIGKILL) and waits for it to go. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RcloneServerOptions {
  kind: 'webdav' | 'sftp';
  dir: string;
  user?: string;
  password: string;
  port?: number;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts `rclone serve <kind>` on 127.0.0.1; rejects (with the Debian package to install) when it cannot. */
export async function startRcloneServer(opts: RcloneServerOptions): Promise<RcloneServer> {
  const req = checkRequirement('rclone');
  if (!req.ok) throw new Error(`rclone: ${req.problem ?? 'not found'} (Debian package: ${req.debianPackage})`);
  const user = opts.user ?? 'opsdeck';
  const port = opts.port ?? (await freePort());
  const obscured = spawnSync(req.path!, ['obscure', '-'], { input: opts.password, encoding: 'utf8' }).stdout.trim();
  let child: ChildProcess | null = null;
  let log = '';
  const start = async (): Promise<void> => {
    const args = ['serve', opts.kind, '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', opts.dir];
    // SFTP needs a host key: rclone makes one in its cache dir; keep that in the served dir's parent.
    const env = { ...process.env, RCLONE_USER: user, RCLONE_PASS: opts.password, RCLONE_LOG_LEVEL: 'ERROR' };
    const c = spawn(req.path!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    child = c;
    const deadline = Date.now() + 15_000;
    while (!(await portOpen(port))) {
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`rclone serve ${opts.kind} exited: ${log.trim() || c.exitCode}`);
      if (Date.now() > deadline) throw new Error(`rclone serve ${opts.kind} did not listen on ${port}: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    kind: opts.kind,
    dir: opts.dir,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    clientEnv: (name) => {
      const p = `RCLONE_CONFIG_${name.toUpperCase()}_`;
      return opts.kind === 'webdav'
        ? {
            [`${p}TYPE`]: 'webdav',
            [`${p}URL`]: `http://127.0.0.1:${port}/`,
            [`${p}VENDOR`]: 'other',
            [`${p}USER`]: user,
            [`${p}PASS`]: obscured,
          }
        : {
            [`${p}TYPE`]: 'sftp',
            [`${p}HOST`]: '127.0.0.1',
            [`${p}PORT`]: String(port),
            [`${p}USER`]: user,
            [`${p}PASS`]: obscured,
            [`${p}SHELL_TYPE`]: 'unix',
            [`${p}MD5SUM_COMMAND`]: 'md5sum',
            [`${p}SHA1SUM_COMMAND`]: 'sha1sum',
          };
    },
    kill,
    restart: start,
    stop: kill,
  };
}
