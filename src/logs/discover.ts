// What the Logs view offers when no logs.sources are configured: what exists on this host, found
// cheaply and only when asked: the journal (when journalctl answers), the usual /var/log files that
// exist and can be read, and the configured services' systemd units (journal -u) and containers.
import { execFile } from 'node:child_process';
import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LogSourceConfig, ServiceConfig } from '../config/schema.js';

/** Files looked for directly under /var/log. */
const TOP_FILES = ['syslog', 'messages', 'auth.log', 'secure', 'kern.log', 'daemon.log', 'cron.log', 'dpkg.log'];
/** Directories under /var/log whose *.log files are offered (live files only, not rotations). */
const DIRS = ['nginx', 'apache2', 'httpd', 'postgresql', 'redis', 'mysql', 'mongodb', 'rabbitmq', 'docker'];

export interface DiscoverOptions {
  services?: readonly Pick<ServiceConfig, 'name' | 'systemd' | 'container'>[];
  /** Default /var/log. */
  varLog?: string;
  /** Default `journalctl` from PATH. */
  journalctl?: string;
  env?: NodeJS.ProcessEnv;
}

async function readable(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `journalctl -n 1` runs and exits 0 within 2 s. */
function journalWorks(program: string, env: NodeJS.ProcessEnv | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      program,
      ['-n', '1', '-q', '--no-pager', '-o', 'cat'],
      { timeout: 2000, env: env ?? process.env, maxBuffer: 1 << 20 },
      (err) => resolve(err === null),
    );
  });
}

/** Log sources that exist on this host, in the order the picker shows them. */
export async function discoverSources(opts: DiscoverOptions = {}): Promise<LogSourceConfig[]> {
  const varLog = opts.varLog ?? '/var/log';
  const program = opts.journalctl ?? 'journalctl';
  const [journal, top, nested] = await Promise.all([
    journalWorks(program, opts.env),
    Promise.all(TOP_FILES.map(async (n) => ((await readable(path.join(varLog, n))) ? n : null))),
    Promise.all(
      DIRS.map(async (d) => {
        const names = await readdir(path.join(varLog, d)).catch(() => [] as string[]);
        const logs = names.filter((n) => n.endsWith('.log')).sort();
        const ok = await Promise.all(
          logs.map(async (n) => ((await readable(path.join(varLog, d, n))) ? `${d}/${n}` : null)),
        );
        return ok.filter((n): n is string => n !== null);
      }),
    ),
  ]);
  const out: LogSourceConfig[] = [];
  if (journal) out.push({ name: 'journal', journal: {} });
  for (const s of opts.services ?? []) {
    if (s.systemd !== undefined && journal) out.push({ name: `${s.name} (journal)`, journal: { unit: s.systemd } });
    if (s.container !== undefined) out.push({ name: `${s.name} (container)`, container: s.container });
  }
  for (const n of [...top.filter((n): n is string => n !== null), ...nested.flat()])
    out.push({ name: n, file: path.join(varLog, n) });
  return out;
}
