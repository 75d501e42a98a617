// Bookkeeping that makes the sandbox leave nothing behind: every sandbox lives in its own
// /tmp/opsdeck-sandbox-<kind>-XXXXXX directory with a pids.json naming its owner process and the
// daemons it started. Exit/signal hooks purge this process's sandboxes synchronously, and
// cleanupStale() purges directories whose owner has died (a crashed or SIGKILLed earlier run).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isAlive, listProcs, procStart, signal, waitGoneSync, withDescendants } from './proc.js';

/** Every sandbox directory's name starts with this (cleanupStale only touches such dirs). */
export const SANDBOX_PREFIX = 'opsdeck-sandbox-';

export type SandboxKind = 'postgres' | 'redis' | 'docker';

/** Contents of pids.json. */
export interface SandboxRecord {
  version: 1;
  kind: SandboxKind;
  ownerPid: number;
  ownerStart: string;
  createdAt: string;
  procs: { pid: number; start: string; name: string }[];
}

const live = new Map<string, SandboxRecord>();

/** Base directory for sandboxes; short on purpose (unix socket paths are limited to ~100 bytes). */
export function sandboxBase(): string {
  const t = tmpdir();
  return t.length <= 20 ? t : '/tmp';
}

/** Create a fresh sandbox directory under `parent` and register it for cleanup. */
export function createSandboxDir(kind: SandboxKind, parent = sandboxBase()): string {
  installHooks();
  const short = kind === 'postgres' ? 'pg' : kind === 'docker' ? 'dk' : 'rd';
  const dir = mkdtempSync(join(parent, `${SANDBOX_PREFIX}${short}-`));
  const record: SandboxRecord = {
    version: 1,
    kind,
    ownerPid: process.pid,
    ownerStart: procStart(process.pid) ?? '',
    createdAt: new Date().toISOString(),
    procs: [],
  };
  live.set(dir, record);
  save(dir, record);
  return dir;
}

/** Write pids.json atomically so a concurrent cleanupStale() never reads half a file. */
function save(dir: string, record: SandboxRecord): void {
  const tmp = join(dir, `.pids.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, join(dir, 'pids.json'));
}

/** Record a daemon started for the sandbox in `dir` (so a later run can kill it if we crash). */
export function trackPid(dir: string, pid: number, name: string): void {
  const record = live.get(dir);
  if (!record) return;
  record.procs = record.procs.filter((p) => isAlive(p.pid, p.start));
  record.procs.push({ pid, start: procStart(pid) ?? '', name });
  save(dir, record);
}

function safeDir(dir: string): boolean {
  return basename(dir).startsWith(SANDBOX_PREFIX) && dir.length > SANDBOX_PREFIX.length + 2;
}

/** True when an argv mentions `dir` (as itself or as a path prefix). */
function mentions(argv: string[], dir: string): boolean {
  return argv.some((a) => {
    const i = a.indexOf(dir);
    if (i < 0) return false;
    const next = a.charAt(i + dir.length);
    return next === '' || !/[A-Za-z0-9_-]/.test(next);
  });
}

/** Mount points at or under `dir`, deepest first (octal escapes in /proc/mounts decoded). */
function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) =>
      (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))),
    )
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

/** cgroup directories dockerd created for this sandbox (it runs with --cgroup-parent=/<basename>). */
function cgroupDirs(dir: string): string[] {
  const root = '/sys/fs/cgroup';
  const out: string[] = [];
  let ctrls: string[] = [];
  try {
    ctrls = readdirSync(root);
  } catch {
    return out;
  }
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    out.push(d);
  };
  for (const c of [...ctrls.map((c) => join(root, c, basename(dir))), join(root, basename(dir))]) {
    try {
      if (statSync(c).isDirectory()) walk(c);
    } catch {
      // controller without our group
    }
  }
  return out; // children before parents
}

function cgroupPids(dirs: string[]): number[] {
  const pids: number[] = [];
  for (const d of dirs) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.push(Number(l));
    } catch {
      // not a cgroup dir, or gone
    }
  }
  return pids;
}

/** containerd-shim sockets live in /run/containerd/s/sha256(<containerd address>/<ns>/<id>). */
function removeShimSockets(dir: string, cgroups: string[]): void {
  const ids = new Set(cgroups.map((c) => basename(c)).filter((n) => /^[0-9a-f]{64}$/.test(n)));
  try {
    for (const id of readdirSync(join(dir, 'ctd/state/io.containerd.runtime.v2.task/moby'))) ids.add(id);
  } catch {
    // no containerd state
  }
  for (const id of ids) {
    const hash = createHash('sha256')
      .update(join(dir, 'ctd/ctd.sock', 'moby', id))
      .digest('hex');
    rmSync(join('/run/containerd/s', hash), { force: true });
  }
}

/**
 * Synchronously remove every trace of the sandbox in `dir`: kill recorded daemons, their process
 * groups and descendants, anything whose argv names the directory, and processes in its cgroups;
 * then remove cgroups, shim sockets and mounts, and finally the directory itself.
 */
export function purgeSync(dir: string): void {
  if (!safeDir(dir)) throw new Error(`refusing to purge ${dir}: not a sandbox directory`);
  const record = live.get(dir) ?? readRecord(dir);
  const procs = listProcs();
  const self = new Set([process.pid, process.ppid]);
  const roots = new Set<number>();
  for (const p of record?.procs ?? []) {
    if (!isAlive(p.pid, p.start)) continue;
    roots.add(p.pid);
    for (const q of procs) if (q.pgid === p.pid) roots.add(q.pid);
  }
  for (const q of procs) if (mentions(q.argv, dir)) roots.add(q.pid);
  const cgroups = cgroupDirs(dir);
  for (const pid of cgroupPids(cgroups)) roots.add(pid);
  const victims = [...withDescendants(roots, procs)].filter((p) => !self.has(p));
  for (const pid of victims) signal(pid, 'SIGCONT');
  for (const pid of victims) signal(pid, 'SIGKILL');
  waitGoneSync(victims, 5_000);
  for (const c of cgroups) {
    try {
      rmdirSync(c);
    } catch {
      // still busy or already gone
    }
  }
  removeShimSockets(dir, cgroups);
  for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  live.delete(dir);
}

function readRecord(dir: string): SandboxRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

/**
 * Remove leftovers of earlier runs: sandbox directories whose owner process is dead (or that have
 * no pids.json and are older than a minute). Returns the directories removed.
 */
export function cleanupStale(parents: string[] = [sandboxBase()]): string[] {
  const removed: string[] = [];
  for (const parent of parents) {
    let names: string[] = [];
    try {
      names = readdirSync(parent).filter((n) => n.startsWith(SANDBOX_PREFIX));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(parent, name);
      if (live.has(dir)) continue;
      try {
        const record = readRecord(dir);
        const stale = record
          ? !isAlive(record.ownerPid, record.ownerStart || undefined)
          : Date.now() - statSync(dir).mtimeMs > 60_000;
        if (!stale) continue;
        purgeSync(dir);
        removed.push(dir);
      } catch (err) {
        // vanished meanwhile (another run cleaned it) or not ours to remove
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          console.warn(`opsdeck sandbox: could not remove stale ${dir}: ${(err as Error).message}`);
        }
      }
    }
  }
  return removed;
}

let hooked = false;

function purgeAllOwned(): void {
  for (const dir of [...live.keys()]) {
    try {
      purgeSync(dir);
    } catch (err) {
      console.error(`opsdeck sandbox: cleanup of ${dir} failed: ${(err as Error).message}`);
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  purgeAllOwned();
  process.removeListener(sig, onSignal);
  // Only re-raise (default action: terminate) when nobody else handles the signal.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

/** Register exit/SIGINT/SIGTERM/SIGHUP cleanup once per process. */
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', purgeAllOwned);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}
