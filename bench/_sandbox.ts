// Shared by the benches: start the real sandbox services (PostgreSQL, Redis, Docker with two
// idle containers) and write a config that names all four targets, so opsdeck polls everything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';

export interface BenchEnv {
  sandbox: Sandbox;
  configPath: string;
  dir: string;
  cleanup(): Promise<void>;
}

/** Starts the services and writes `opsdeck.yaml` for them (default intervals and thresholds). */
export async function startBenchEnv(): Promise<BenchEnv> {
  const sandbox = await startSandbox({ postgres: true, redis: true, docker: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-'));
  try {
    const docker = sandbox.docker!;
    if (docker.image) {
      for (const name of ['bench-app', 'bench-worker'])
        await docker.runContainer({ name, cmd: ['sh', '-c', 'exec sleep 3600'] });
    }
    const configPath = path.join(dir, 'opsdeck.yaml');
    const config = {
      discover: false,
      targets: {
        postgres: { url: sandbox.postgres!.url },
        redis: { url: sandbox.redis!.url },
        docker: { socket: docker.socketPath },
      },
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    return {
      sandbox,
      configPath,
      dir,
      cleanup: async () => {
        await sandbox.stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sandbox.stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Environment for children: no PG*, REDIS_URL or DOCKER_HOST leaking in from the caller. */
export function childEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    NO_COLOR: '1',
  };
}

/** Makes sure the bundled CLI exists (npm run bench builds it; a direct run may not have). */
export function ensureBuilt(): void {
  if (existsSync('dist/main.js')) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** The median of some numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
