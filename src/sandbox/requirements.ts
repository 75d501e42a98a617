// Which host binaries the sandbox needs, where they are, and which Debian package provides them.
import { accessSync, closeSync, constants, openSync, readSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RequirementName =
  | 'postgres'
  | 'pg_dump'
  | 'redis'
  | 'docker'
  | 'busybox'
  | 'tmux'
  | 'igzip'
  | 'rclone'
  | 'logrotate'
  | 'journal-remote'
  | 'journalctl'
  | 'openssl'
  | 'docker-compose';

/** Result of looking for one requirement. */
export interface RequirementResult {
  name: RequirementName;
  ok: boolean;
  path?: string;
  /** Debian package to install when missing. */
  debianPackage: string;
  problem?: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Look up a command on PATH (plus the sbin directories, which non-root PATHs often lack). */
export function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const d of dirs) if (d && executable(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** The newest /usr/lib/postgresql/<major>/bin holding both initdb and postgres. */
export function findPostgresBin(): string | undefined {
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    // no Debian PostgreSQL layout; fall back to PATH below
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const m of majors) {
    const bin = `/usr/lib/postgresql/${m}/bin`;
    if (executable(join(bin, 'postgres')) && executable(join(bin, 'initdb'))) return bin;
  }
  const initdb = which('initdb');
  return initdb && which('postgres') ? initdb.slice(0, -'/initdb'.length) : undefined;
}

/** True when an ELF file has no PT_INTERP program header (i.e. it is statically linked). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false; // 64-bit ELF only
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

/** Path of a statically linked busybox (from busybox-static), usable inside an empty image. */
export function findStaticBusybox(): string | undefined {
  for (const p of ['/bin/busybox', '/usr/bin/busybox', which('busybox')]) {
    try {
      if (p && executable(p) && isStaticElf(p)) return p;
    } catch {
      // unreadable: keep looking
    }
  }
  return undefined;
}

function result(
  name: RequirementName,
  debianPackage: string,
  path: string | undefined,
  problem?: string,
): RequirementResult {
  const ok = path !== undefined && problem === undefined;
  return { name, ok, debianPackage, ...(path ? { path } : {}), ...(ok ? {} : { problem: problem ?? 'not found' }) };
}

/** Check one requirement. */
export function checkRequirement(name: RequirementName): RequirementResult {
  switch (name) {
    case 'postgres': {
      const bin = findPostgresBin();
      return result(name, 'postgresql', bin, bin ? undefined : 'no /usr/lib/postgresql/*/bin/{initdb,postgres}');
    }
    case 'pg_dump':
      return result(name, 'postgresql-client', which('pg_dump'));
    case 'redis':
      return result(name, 'redis-server', which('redis-server'));
    case 'docker': {
      const dockerd = which('dockerd');
      const missing = ['containerd', 'runc'].filter((c) => !which(c));
      let problem = missing.length ? `missing ${missing.join(', ')}` : undefined;
      if (!problem && process.getuid?.() !== 0) problem = 'dockerd must run as root';
      return result(name, 'docker.io', dockerd, dockerd ? problem : 'dockerd not found');
    }
    case 'busybox': {
      const bb = findStaticBusybox();
      return result(name, 'busybox-static', bb, bb ? undefined : 'no statically linked /bin/busybox');
    }
    case 'tmux':
      return result(name, 'tmux', which('tmux'));
    case 'igzip':
      return result(name, 'isal', which('igzip'));
    case 'rclone':
      return result(name, 'rclone', which('rclone'));
    // Log history (issue 15): rotations made by the real logrotate, a journal written by systemd-journal-remote.
    case 'logrotate':
      return result(name, 'logrotate', which('logrotate'));
    case 'journal-remote': {
      const p = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find(executable);
      return result(name, 'systemd-journal-remote', p);
    }
    case 'journalctl':
      return result(name, 'systemd', which('journalctl'));
    case 'openssl':
      return result(name, 'openssl', which('openssl'));
    // Compose services (issue 15): restarted by the real docker-compose on the sandbox engine.
    case 'docker-compose':
      return result(name, 'docker-compose', which('docker-compose'));
  }
}

/** Summary of several requirement checks with a ready-to-print message. */
export interface RequirementReport {
  ok: boolean;
  results: RequirementResult[];
  missingPackages: string[];
  message: string;
}

/** Check requirements (all by default) and say exactly which Debian packages to install. */
export function checkRequirements(
  names: RequirementName[] = [
    ...['postgres', 'pg_dump', 'redis', 'docker', 'busybox', 'tmux', 'igzip', 'rclone'],
    ...['openssl', 'logrotate', 'journal-remote', 'journalctl', 'docker-compose'],
  ] as RequirementName[],
): RequirementReport {
  const results = names.map(checkRequirement);
  const bad = results.filter((r) => !r.ok);
  const missingPackages = [
    ...new Set(bad.filter((r) => r.problem !== 'dockerd must run as root').map((r) => r.debianPackage)),
  ];
  const lines = bad.map((r) => `  - ${r.name}: ${r.problem ?? 'missing'} (Debian package: ${r.debianPackage})`);
  if (missingPackages.length)
    lines.push(`  install with: apt-get install -y --no-install-recommends ${missingPackages.join(' ')}`);
  const message = bad.length ? `sandbox requirements missing:\n${lines.join('\n')}` : 'sandbox requirements present';
  return { ok: bad.length === 0, results, missingPackages, message };
}
