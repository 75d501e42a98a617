// One spawned tool (pg_dump, pg_restore) with the bits every caller needs: argv only (never a
// shell), the last stderr lines for the error message, an exit promise that never rejects, and a
// kill that escalates from SIGTERM to SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all. */
  spawnError?: string;
}

export interface Tool {
  child: ChildProcess;
  /** Resolves once the process has exited and its pipes are closed. */
  exited: Promise<Exit>;
  /** Last non-empty stderr lines (at most 20). */
  stderrTail(): string[];
  /** SIGTERM now, SIGKILL after `graceMs` if still there. */
  kill(graceMs?: number): void;
}

/** Spawns `bin args` with stdout piped (or ignored) and stderr collected. */
export function spawnTool(bin: string, args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'ignore'): Tool {
  const child = spawn(bin, args, { env, stdio: ['ignore', stdout, 'pipe'] });
  const tail: string[] = [];
  let carry = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    const parts = (carry + s).split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') tail.push(p.trim());
    if (tail.length > 20) tail.splice(0, tail.length - 20);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT'
          ? 'not found (install the PostgreSQL client tools, Debian package postgresql-client)'
          : e.message;
      resolve({ code: null, signal: null, spawnError: `${path.basename(bin)}: ${why}` });
    });
    child.once('close', (code, signal) => {
      if (carry.trim() !== '') tail.push(carry.trim());
      resolve({ code, signal });
    });
  });
  let killTimer: NodeJS.Timeout | undefined;
  return {
    child,
    exited,
    stderrTail: () => [...tail],
    kill(graceMs = 2000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
      killTimer.unref();
      void exited.then(() => clearTimeout(killTimer));
    },
  };
}

/** "pg_dump exited with code 1: pg_dump: error: …" — one line for the operator. */
export function describeExit(name: string, exit: Exit, tail: string[]): string {
  if (exit.spawnError) return exit.spawnError;
  const how = exit.code === null ? `was killed by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`;
  const last = tail.find((l) => /error|fatal|could not|permission denied|no space/i.test(l)) ?? tail.at(-1);
  return `${name} ${how}${last ? `: ${last}` : ''}`;
}
