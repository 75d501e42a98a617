// Runs one child process from an argument vector — never a shell string, so a name such as
// `x; rm -rf /` stays one argument. The child gets its own process group so a timeout or a cancel
// takes down everything it started, not just the direct child.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { ActionError } from './errors.js';
import { showArgv } from './plan.js';

export interface RunArgvOptions {
  signal?: AbortSignal;
  /** Kill the process group after this many ms (default: no limit). */
  timeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Grace between SIGTERM and SIGKILL (default 3 s). */
  killGraceMs?: number;
}

export interface RunArgvResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whole stdout (bounded to the last 64 KiB). */
  stdout: string;
  /** Last stderr lines (bounded). */
  stderrTail: string[];
  timedOut: boolean;
  aborted: boolean;
}

const KEEP_STDOUT = 64 * 1024;

/** Spawns `argv` and resolves when it has exited; rejects only when it cannot be started. */
export function runArgv(argv: readonly string[], opts: RunArgvOptions = {}): Promise<RunArgvResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new ActionError('command_failed', 'empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    const stderrTail: string[] = [];
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    const terminate = (): void => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs ?? 3000);
    };
    const timeout =
      opts.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), terminate()), opts.timeoutMs) : null;
    const onAbort = (): void => {
      aborted = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const lines = (stream: 'stdout' | 'stderr') => {
      const dec = new StringDecoder('utf8');
      let carry = '';
      return {
        push(chunk: Buffer) {
          const decoded = dec.write(chunk);
          if (stream === 'stdout') stdout = (stdout + decoded).slice(-KEEP_STDOUT);
          const text = carry + decoded;
          const parts = text.split(/\r?\n/);
          carry = parts.pop() ?? '';
          for (const p of parts) emit(p, stream);
        },
        end() {
          const tail = dec.end();
          if (stream === 'stdout') stdout = (stdout + tail).slice(-KEEP_STDOUT);
          const rest = carry + tail;
          if (rest !== '') emit(rest, stream);
        },
      };
    };
    const emit = (line: string, stream: 'stdout' | 'stderr'): void => {
      if (stream === 'stderr') {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
      opts.onLine?.(line, stream);
    };
    const out = lines('stdout');
    const err = lines('stderr');
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const cleanup = (): void => {
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      const why = e.code === 'ENOENT' ? 'command not found' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new ActionError('command_failed', `cannot run ${showArgv([cmd])}: ${why}`));
    });
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      cleanup();
      // The direct child is gone; make sure nothing it left in its group outlives it after a kill.
      if (timedOut || aborted) killGroup('SIGKILL');
      resolve({ code, signal, stdout, stderrTail, timedOut, aborted });
    });
  });
}

/** Runs `argv` and throws an ActionError in words unless it exits 0. */
export async function runChecked(argv: readonly string[], opts: RunArgvOptions = {}): Promise<RunArgvResult> {
  const r = await runArgv(argv, opts);
  const shown = showArgv(argv);
  if (r.aborted) throw new ActionError('cancelled', `${shown} was cancelled`);
  if (r.timedOut)
    throw new ActionError(
      'timeout',
      `${shown} did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was killed`,
    );
  if (r.code !== 0) {
    const last = r.stderrTail.filter((l) => l.trim() !== '').at(-1);
    const how = r.code === null ? `was killed by ${r.signal ?? 'a signal'}` : `exited with code ${r.code}`;
    throw new ActionError('command_failed', `${shown} ${how}${last ? `: ${last.trim()}` : ''}`);
  }
  return r;
}
