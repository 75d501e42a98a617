// A throwaway Docker engine: its own containerd and dockerd, state, exec root and API socket in a
// short temp dir, no networking (bridge none, no iptables), vfs storage, containers in their own
// cgroup parent, and a local busybox image because there is no registry.
import { writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { DockerEngine, type ContainerHandle } from '../docker/index.js';
import { buildBusyboxImage, runSandboxContainer, type ContainerSpec } from './docker-image.js';
import { spawnDaemon, stopDaemon, waitReady, type Daemon } from './proc.js';
import { createSandboxDir, purgeSync, trackPid } from './registry.js';
import { checkRequirement, which } from './requirements.js';

export interface DockerSandboxOptions {
  /** Build the busybox image (default true). */
  image?: boolean;
  /** Parent directory for the sandbox dir (default /tmp; keep it short: unix sockets). */
  dir?: string;
  /** Readiness timeout per daemon (default 60 s). */
  timeoutMs?: number;
}

export interface DockerSandbox {
  /** Path of the engine API socket (use with `new DockerEngine({ socketPath })`). */
  socketPath: string;
  /** Local image tag for containers (`opsdeck-busybox:latest`), '' when built with image:false. */
  image: string;
  /** The sandbox's temp directory (removed by stop()). */
  dir: string;
  logFile: string;
  /** An engine client bound to this engine. */
  docker: DockerEngine;
  /** Create and start a container (network none) from the sandbox image. */
  runContainer(spec: ContainerSpec): Promise<ContainerHandle>;
  /** Remove all containers, stop dockerd and containerd, unmount, delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** dockerd pid while running. */
  pid(): number | undefined;
}

/** Resolve true once a unix socket accepts a connection. */
function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', reject);
  });
}

function containerdConfig(dir: string): string {
  const q = (p: string): string => JSON.stringify(join(dir, p));
  return [
    'version = 2',
    `root = ${q('ctd/root')}`,
    `state = ${q('ctd/state')}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${q('ctd/ctd.sock')}`,
    '[ttrpc]',
    `  address = ${q('ctd/ctd.sock.ttrpc')}`,
    '',
  ].join('\n');
}

function dockerdArgs(dir: string): string[] {
  const p = (s: string): string => join(dir, s);
  return [
    `--config-file=${p('daemon.json')}`, // never read /etc/docker/daemon.json
    `--containerd=${p('ctd/ctd.sock')}`, // never share a system containerd
    `--cgroup-parent=/${basename(dir)}`,
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--bridge=none',
    '--storage-driver=vfs',
    `--data-root=${p('root')}`,
    `--exec-root=${p('exec')}`,
    `--pidfile=${p('docker.pid')}`,
    `--host=unix://${p('docker.sock')}`,
    '--shutdown-timeout=2',
  ];
}

/** Start a throwaway Docker engine (root only); resolves once `/_ping` answers and the image exists. */
export async function startDocker(opts: DockerSandboxOptions = {}): Promise<DockerSandbox> {
  const req = checkRequirement('docker');
  const dockerd = which('dockerd');
  const containerd = which('containerd');
  if (!req.ok || !dockerd || !containerd) {
    const hint = req.problem === 'dockerd must run as root' ? '' : ' (install Debian package docker.io)';
    throw new Error(`Docker engine not available: ${req.problem ?? 'containerd not found'}${hint}`);
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = createSandboxDir('docker', opts.dir);
  const socketPath = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const ctdLog = join(dir, 'containerd.log');
  let ctd: Daemon | undefined;
  let engine: Daemon | undefined;
  const shutdown = async (docker: DockerEngine | undefined): Promise<void> => {
    if (docker && engine && !engine.exited()) {
      const all = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        all.map((c) =>
          docker
            .container(c.Id)
            .remove({ force: true, volumes: true })
            .catch(() => undefined),
        ),
      );
    }
    docker?.close();
    if (engine) await stopDaemon(engine, 'SIGTERM', 20_000);
    if (ctd) await stopDaemon(ctd, 'SIGTERM', 10_000);
  };
  try {
    if (socketPath.length > 100) throw new Error(`sandbox path too long for a unix socket: ${socketPath}`);
    mkdirSync(join(dir, 'ctd'));
    writeFileSync(join(dir, 'ctd/config.toml'), containerdConfig(dir));
    const c = spawnDaemon(containerd, ['--config', join(dir, 'ctd/config.toml')], { logFile: ctdLog, cwd: dir });
    ctd = c;
    trackPid(dir, c.pid, 'containerd');
    await waitReady('containerd', c, () => socketAccepts(join(dir, 'ctd/ctd.sock')), { timeoutMs, logFile: ctdLog });

    const docker = new DockerEngine({ socketPath }, { timeoutMs: 30_000 });
    const ping = async (): Promise<boolean> => String(await docker.ping()).trim() === 'OK';
    for (const keyInConfig of [true, false]) {
      // dockerd 20.10 otherwise writes its trust key to /etc/docker/key.json (shared with a system dockerd).
      const config = keyInConfig ? { 'deprecated-key-path': join(dir, 'key.json') } : {};
      writeFileSync(join(dir, 'daemon.json'), JSON.stringify(config) + '\n');
      writeFileSync(logFile, '');
      const d = spawnDaemon(dockerd, dockerdArgs(dir), { logFile, cwd: dir });
      engine = d;
      trackPid(dir, d.pid, 'dockerd');
      try {
        await waitReady(`dockerd (${socketPath})`, d, ping, { timeoutMs, logFile });
        break;
      } catch (err) {
        // dockerd >= 23 has no trust key and rejects the unknown directive: retry without it.
        if (!keyInConfig || !/deprecated-key-path/.test((err as Error).message)) throw err;
      }
    }

    const image = opts.image === false ? '' : await buildBusyboxImage(docker, dir);
    let stopping: Promise<void> | undefined;
    return {
      socketPath,
      image,
      dir,
      logFile,
      docker,
      async runContainer(spec) {
        if (!image) throw new Error('docker sandbox started with image:false; no image to run');
        return await runSandboxContainer(docker, image, spec);
      },
      stop() {
        stopping ??= (async () => {
          try {
            await shutdown(docker);
          } finally {
            purgeSync(dir);
          }
        })();
        return stopping;
      },
      pid: () => (engine && !engine.exited() ? engine.pid : undefined),
    };
  } catch (err) {
    await shutdown(undefined).catch(() => undefined);
    purgeSync(dir);
    throw err;
  }
}
