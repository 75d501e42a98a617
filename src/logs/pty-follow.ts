// Following a command's output under a pseudo-terminal (node-pty): `journalctl -u x -f`,
// `docker compose logs -f`, anything configured as an argv. A pty makes the program line-buffer
// as it would for a person; stop() takes down its whole process group, so a pipeline or a
// wrapper script cannot leave a `tail -f` running after the operator has left the view.
import pty from 'node-pty';
import { LineSplitter } from './line-splitter.js';
import type { LogStream, SourceSink } from './types.js';

export interface CommandFollowOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Terminal width the program sees; wide so lines are not wrapped by the program (default 400). */
  cols?: number;
  /** Grace between SIGTERM and SIGKILL on stop (default 2 s). */
  killGraceMs?: number;
}

/** A followed command: stop() plus the child's pid (for tests and the process view). */
export interface CommandStream extends LogStream {
  readonly pid: number;
}

/** Runs `argv` under a pty and reports its output lines to `sink` until it exits or stop(). */
export function followCommand(
  argv: readonly string[],
  sink: SourceSink,
  opts: CommandFollowOptions = {},
): CommandStream {
  const [file, ...args] = argv;
  let term: pty.IPty;
  try {
    if (!file) throw new Error('the command is empty');
    term = spawnPty(file, args, opts);
  } catch (err) {
    // Reported like any other end of the source: a pane never crashes on a bad command.
    sink.end(`cannot run ${argv[0] ?? '(nothing)'}: ${(err as Error).message}`, true);
    return { pid: -1, stop: async () => undefined };
  }
  return attach(term, argv, sink, opts);
}

function spawnPty(file: string, args: string[], opts: CommandFollowOptions): pty.IPty {
  return pty.spawn(file, args, {
    name: 'dumb',
    cols: opts.cols ?? 400,
    rows: 50,
    cwd: opts.cwd ?? process.cwd(),
    // Pagers would wait for a key that never comes; colours are stripped anyway.
    env: { ...(opts.env ?? process.env), TERM: 'dumb', PAGER: 'cat', SYSTEMD_PAGER: 'cat', NO_COLOR: '1' } as Record<
      string,
      string
    >,
    encoding: null,
  });
}

function attach(term: pty.IPty, argv: readonly string[], sink: SourceSink, opts: CommandFollowOptions): CommandStream {
  let pending: string[] = [];
  const splitter = new LineSplitter((l) => pending.push(l));
  const flush = (): void => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    sink.lines(lines);
  };
  let stopping = false;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      exited = true;
      splitter.flush();
      flush();
      if (!stopping)
        sink.end(
          signal ? `${argv[0]} was killed by signal ${signal}` : `${argv[0]} exited with code ${exitCode}`,
          exitCode !== 0,
        );
      resolve();
    });
  });
  term.onData((data: string | Buffer) => {
    splitter.push(typeof data === 'string' ? Buffer.from(data) : data);
    flush();
  });
  const pid = term.pid;
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      // forkpty makes the child a session and group leader: -pid is everything it started.
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    pid,
    stop: async () => {
      if (exited) return;
      stopping = true;
      killGroup('SIGHUP');
      killGroup('SIGTERM');
      const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), opts.killGraceMs ?? 2000).unref());
      if ((await Promise.race([exit, grace])) === 'timeout') {
        killGroup('SIGKILL');
        await Promise.race([exit, new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      // Members of the group that outlived the leader (they ignored SIGTERM) get no second chance.
      killGroup('SIGKILL');
    },
  };
}
