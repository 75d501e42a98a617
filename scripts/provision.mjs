#!/usr/bin/env node
// Make sure the host binaries the real-service sandbox needs are installed:
// PostgreSQL server + pg_dump, redis-server, dockerd (+ containerd, runc), a static busybox, tmux,
// igzip (ISA-L).
// Missing ones are apt-get installed when we are root and apt-get exists; otherwise the exact
// Debian packages are printed, and the script fails only with CI=true. Quiet (one line) when all
// is present. Mirrors src/sandbox/requirements.ts (this file must run before any TypeScript build).
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const ci = process.env.CI === 'true';
const isRoot = process.getuid?.() === 0;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(cmd) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const d of dirs) if (d && executable(join(d, cmd))) return join(d, cmd);
  return undefined;
}

function postgresBin() {
  let majors = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    return undefined;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  return majors
    .map((m) => `/usr/lib/postgresql/${m}/bin`)
    .find((b) => executable(join(b, 'postgres')) && executable(join(b, 'initdb')));
}

/** 64-bit ELF without a PT_INTERP program header = statically linked. */
function isStaticElf(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false;
    const phoff = Number(head.readBigUInt64LE(32));
    const size = head.readUInt16LE(54);
    const count = head.readUInt16LE(56);
    const ph = Buffer.alloc(size * count);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < count; i++) if (ph.readUInt32LE(i * size) === 3) return false;
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const checks = [
  { what: 'PostgreSQL server (initdb, postgres)', pkg: 'postgresql', found: postgresBin },
  { what: 'pg_dump', pkg: 'postgresql-client', found: () => which('pg_dump') },
  { what: 'redis-server', pkg: 'redis-server', found: () => which('redis-server') },
  {
    what: 'dockerd + containerd + runc',
    pkg: 'docker.io',
    found: () => (which('containerd') && which('runc') ? which('dockerd') : undefined),
  },
  {
    what: 'static /bin/busybox',
    pkg: 'busybox-static',
    found: () => ['/bin/busybox', '/usr/bin/busybox'].find(isStaticElf),
  },
  { what: 'tmux', pkg: 'tmux', found: () => which('tmux') },
  // igzip verifies another tool's .sql.gz backups in the background at ~4× GNU gzip's speed (bench/existing-verify.ts).
  { what: 'igzip (ISA-L)', pkg: 'isal', found: () => which('igzip') },
  // Off-host copies (issue 14): the tests serve a loopback WebDAV/SFTP remote with rclone itself.
  { what: 'rclone', pkg: 'rclone', found: () => which('rclone') },
  // Log history and the journal source (issue 15): real logrotate rotations, a real journal file.
  { what: 'logrotate', pkg: 'logrotate', found: () => which('logrotate') },
  {
    what: 'systemd-journal-remote',
    pkg: 'systemd-journal-remote',
    found: () => ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find(executable),
  },
  { what: 'journalctl', pkg: 'systemd', found: () => which('journalctl') },
  // Endpoint and certificate checks (issue 15): the tests make their certificates with openssl.
  { what: 'openssl', pkg: 'openssl', found: () => which('openssl') },
  // Compose services (issue 15): the tests restart a real compose project with Debian's docker-compose.
  { what: 'docker-compose', pkg: 'docker-compose', found: () => which('docker-compose') },
];

const missing = () => checks.filter((c) => !c.found());

function run(argv) {
  console.log(`provision: $ ${argv.join(' ')}`);
  const r = spawnSync(argv[0], argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) console.error(`provision: ${argv[0]} failed to run: ${r.error.message}`);
  return r.status === 0;
}

let absent = missing();
if (absent.length && isRoot && which('apt-get')) {
  const pkgs = [...new Set(absent.map((c) => c.pkg))];
  console.log(`provision: installing ${pkgs.join(' ')} (missing: ${absent.map((c) => c.what).join(', ')})`);
  if (run(['apt-get', 'update'])) run(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]);
  absent = missing();
}

if (absent.length === 0) {
  const note = isRoot ? '' : ' (not root: the Docker sandbox needs root and its tests will skip)';
  const pgVersion = postgresBin()?.split('/')[4] ?? '?';
  const others = 'pg_dump, redis-server, dockerd, busybox-static, tmux, igzip, rclone, openssl, docker-compose';
  console.log(`provision: sandbox binaries present — PostgreSQL ${pgVersion}, ${others}${note}`);
  process.exit(0);
}

const pkgs = [...new Set(absent.map((c) => c.pkg))];
const lines = [
  `provision: ${ci ? 'ERROR' : 'WARNING'}: missing ${absent.map((c) => `${c.what} (package ${c.pkg})`).join(', ')}`,
  `provision: install with: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`,
  ci ? 'provision: CI=true, failing.' : 'provision: tests needing these services will be skipped.',
];
console.error(lines.join('\n'));
process.exit(ci ? 1 : 0);
