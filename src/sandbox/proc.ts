// Low-level process helpers for the sandbox: spawn daemons with an argv, read /proc, wait for
// processes to go away and for services to become ready. Linux only (the sandbox needs /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';

/** One row of /proc: enough to find process groups, descendants and our own leftovers. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  start: string;
  argv: string[];
}

/** Parse /proc/<pid>/stat (the command name may contain spaces and parentheses). */
function readStat(pid: number): Omit<ProcInfo, 'argv'> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19] ?? '' };
}

/** Process start time (clock ticks since boot) — guards against killing a recycled pid. */
export function procStart(pid: number): string | undefined {
  return readStat(pid)?.start;
}

/** True when the pid exists and is not a zombie (zombies are dead, just not yet reaped). */
export function isAlive(pid: number, start?: string): boolean {
  const st = readStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return start === undefined || st.start === start;
}

/** Every live process on the machine with its argv. */
export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st || st.state === 'Z') continue;
    let argv: string[] = [];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    out.push({ ...st, argv });
  }
  return out;
}

/** Pids of `roots` plus all their descendants (by ppid) among `procs`. */
export function withDescendants(roots: Iterable<number>, procs: ProcInfo[]): Set<number> {
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return found;
}

/** Send a signal, ignoring processes that are already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone (ESRCH) — nothing to do
  }
}

/** Signal a whole process group (the daemon was spawned detached, so pgid === its pid). */
export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  signal(-pgid, sig);
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  return listProcs()
    .filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Block the thread (used only by exit handlers, which cannot await). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Wait until none of `pids` is alive; true when they all went away within the timeout. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!pids.some((p) => isAlive(p))) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

/** Synchronous variant of waitGone for exit handlers. */
export function waitGoneSync(pids: number[], timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => isAlive(p))) {
    if (Date.now() > deadline) return false;
    sleepSync(20);
  }
  return true;
}

/** Stop a detached daemon: `sig` to the leader, then SIGKILL to the whole group after the grace period. */
export async function stopGroup(pid: number, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGCONT');
  signal(pid, sig);
  if (!(await waitGone([pid], graceMs))) signalGroup(pid, 'SIGKILL');
  await waitGone([pid], 5_000);
  const rest = groupMembers(pid);
  for (const p of rest) signal(p, 'SIGKILL');
  await waitGone(rest, 5_000);
}

/** Stop a daemon we spawned (see stopGroup) and wait until Node has reaped it. */
export async function stopDaemon(d: Daemon, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (d.exited()) return;
  await stopGroup(d.pid, sig, graceMs);
  await Promise.race([d.done, sleep(5_000)]);
}

/** The last `lines` lines of a log file, or a note that it could not be read. */
export function logTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch (err) {
    return `(no log at ${file}: ${(err as Error).message})`;
  }
}

/** Where a daemon logs, runs, and as which user. */
export interface DaemonOptions {
  logFile: string;
  cwd: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
}

/** A spawned daemon plus its exit status once it has exited. */
export interface Daemon {
  child: ChildProcess;
  pid: number;
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves once Node has reaped the process (its 'exit' event), so exited() is set. */
  done: Promise<void>;
}

/** Spawn a long-running server with an argv (no shell), in its own process group, output to a log file. */
export function spawnDaemon(cmd: string, args: string[], opts: DaemonOptions): Daemon {
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
      uid: opts.uid,
      gid: opts.gid,
    });
  } finally {
    closeSync(fd);
  }
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  let markDone = (): void => undefined;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  child.on('error', (err) => {
    spawnError = err;
    status = { code: -1, signal: null };
    markDone();
  });
  child.on('exit', (code, sig) => {
    status = { code, signal: sig };
    markDone();
  });
  child.unref();
  if (child.pid === undefined) {
    throw new Error(`could not spawn ${cmd}: ${spawnError?.message ?? 'no pid'}`);
  }
  return { child, pid: child.pid, exited: () => status, done };
}

/**
 * Poll `probe` until it resolves true. Fails early when the daemon exits, and after `timeoutMs`
 * with the last probe error and the tail of the server log.
 */
export async function waitReady(
  what: string,
  daemon: Daemon,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; logFile: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'not ready';
  for (;;) {
    const st = daemon.exited();
    if (st) {
      throw new Error(
        `${what} exited during startup (code ${st.code ?? 'none'}, signal ${st.signal ?? 'none'}). ` +
          `Log tail (${opts.logFile}):\n${logTail(opts.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} did not become ready within ${opts.timeoutMs} ms (last probe: ${last}). ` +
          `Log tail (${opts.logFile}):\n${logTail(opts.logFile)}`,
      );
    }
    await sleep(50);
  }
}
