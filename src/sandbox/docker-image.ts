// The sandbox's only image (a rootfs holding Debian's static busybox, imported with the engine
// API because there is no registry) and helpers to run containers from it and read them back.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { demuxDockerStream, type ContainerHandle, type ContainerInspect, type DockerEngine } from '../docker/index.js';
import { sleep } from './proc.js';
import { findStaticBusybox } from './requirements.js';

/** Tag of the busybox image every docker sandbox imports. */
export const SANDBOX_IMAGE = 'opsdeck-busybox:latest';

/** Container to run in the docker sandbox (always with NetworkMode none). */
export interface ContainerSpec {
  name: string;
  labels?: Record<string, string>;
  /** argv, e.g. ['sh', '-c', 'echo ready; exec sleep 3600'] */
  cmd: string[];
  env?: string[];
  /** A string runs with CMD-SHELL, an array with CMD. Intervals default to 500 ms, retries to 1. */
  healthcheck?: {
    test: string | string[];
    intervalMs?: number;
    timeoutMs?: number;
    retries?: number;
    startPeriodMs?: number;
  };
  /** Start the container after creating it (default true). */
  start?: boolean;
}

/** Build the busybox rootfs tar in `dir` and import it as SANDBOX_IMAGE; returns the tag. */
export async function buildBusyboxImage(docker: DockerEngine, dir: string): Promise<string> {
  const busybox = findStaticBusybox();
  if (!busybox)
    throw new Error('no statically linked busybox for the sandbox image (install Debian package busybox-static)');
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'root', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(busybox, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n');
  for (const a of applets)
    if (/^[\w.[\]-]+$/.test(a) && a !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  const tarFile = join(dir, 'rootfs.tar');
  await createTar({ file: tarFile, cwd: rootfs, portable: true }, ['.']);
  const [repo, tag] = SANDBOX_IMAGE.split(':');
  await docker.importImage(tarFile, { repo: repo!, tag: tag! });
  await docker.inspectImage(SANDBOX_IMAGE); // throws when the import did not produce the tag
  return SANDBOX_IMAGE;
}

const ms = (n: number): number => n * 1_000_000; // the engine API wants nanoseconds

/** Create (and by default start) a labelled container with no network. */
export async function runSandboxContainer(
  docker: DockerEngine,
  image: string,
  spec: ContainerSpec,
): Promise<ContainerHandle> {
  const hc = spec.healthcheck;
  const container = await docker.createContainer(
    {
      Image: image,
      Cmd: spec.cmd,
      Labels: spec.labels ?? {},
      Env: spec.env ?? [],
      ...(hc
        ? {
            Healthcheck: {
              Test: typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : ['CMD', ...hc.test],
              Interval: ms(hc.intervalMs ?? 500),
              Timeout: ms(hc.timeoutMs ?? 2_000),
              Retries: hc.retries ?? 1,
              StartPeriod: ms(hc.startPeriodMs ?? 0),
            },
          }
        : {}),
      HostConfig: { NetworkMode: 'none' },
    },
    spec.name,
  );
  if (spec.start !== false) await container.start();
  return container;
}

/** A container's logs so far, demultiplexed. */
export async function containerLogs(container: ContainerHandle): Promise<{ stdout: string; stderr: string }> {
  const buf = await container.logsBuffer();
  return demuxDockerStream(buf);
}

/** Poll `inspect` until `pred` holds; returns the last inspect result or throws after the timeout. */
export async function waitForContainer(
  container: ContainerHandle,
  pred: (info: ContainerInspect) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<ContainerInspect> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await container.inspect();
    if (pred(info)) return info;
    if (Date.now() > deadline) {
      const state = `status ${info.State.Status}, health ${info.State.Health?.Status ?? 'none'}`;
      throw new Error(`container ${info.Name} not ${what} within ${timeoutMs} ms (${state})`);
    }
    await sleep(100);
  }
}

/** Wait until a container's healthcheck reports `status`. */
export function waitForHealth(
  container: ContainerHandle,
  status: 'healthy' | 'unhealthy',
  timeoutMs = 30_000,
): Promise<ContainerInspect> {
  return waitForContainer(container, (i) => i.State.Health?.Status === status, status, timeoutMs);
}
