// One console session on the terminal: the session's parts from the composition root
// (src/app/console/session.ts), the first frame, then polling (loaded after the first frame, so
// the operator sees the console at once), and a shutdown that restores the terminal on every way
// out.
import { render } from 'ink';
import os from 'node:os';
import { inspect } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import type { OpsdeckConfig } from '../config/resolve.js';
import { createConsoleSession } from '../app/console/session.js';
import { tickingClock } from './clock.js';
import { coalesceStore } from './coalesced-store.js';
import { writeCrashLog } from './crash-log.js';
import { exitCodeFor, watchExit, type ExitReason } from './exit-watch.js';
import { FrameWriter } from './frame-writer.js';
import { ConsoleRoot } from './root.js';
import { streamSize } from './size.js';
import { enterFullscreen } from './terminal.js';
import { clockTime } from '../util/text.js';
import { mark, traceLine, tracing } from '../util/trace.js';

export interface ConsoleIo {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

export interface ConsoleOptions {
  /** After shutdown, exit the process if something still holds it open this long (ms); 0 = never. */
  forceExitAfterMs?: number;
  /** How long shutdown waits for probes to close before giving up on them (ms). */
  closeTimeoutMs?: number;
  version?: string;
}

/** Runs the console until the operator quits (or a signal or crash ends it); resolves to the exit code. */
export async function runSession(
  config: OpsdeckConfig,
  io: ConsoleIo = { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr },
  opts: ConsoleOptions = {},
): Promise<number> {
  const session = createConsoleSession(config);
  const { store, actions, backups } = session;
  const screen = enterFullscreen(io.stdout, io.stdin);
  const exits = watchExit(io.stdout, (again) => {
    // A second signal while shutting down: restore and leave now.
    screen.restore();
    process.exit(exitCodeFor(again));
  });
  const size = streamSize(io.stdout);
  const frames = new FrameWriter(io.stdout, { minIntervalMs: 33 });
  const restoreConsole = captureConsole();
  let quit!: () => void;
  const quitting = new Promise<ExitReason>((resolve) => {
    quit = () => resolve({ kind: 'quit' });
  });

  const redraw = () => frames.invalidate();
  // Probe results land within milliseconds of each other: one render for the whole burst.
  const viewStore = coalesceStore(store, 100);
  const clock = tickingClock();
  // The header clock is drawn by the frame writer: a tick costs a few bytes, not an Ink render.
  const stopClock = clock.subscribe(() => frames.setCorner(clockTime(clock.now())));
  frames.setCorner(clockTime(clock.now()));
  const root = (
    <ConsoleRoot
      store={viewStore}
      size={size}
      clock={clock}
      hostname={os.hostname()}
      readOnly={config.readOnly}
      onQuit={quit}
      onRedraw={redraw}
      clockInHeader={false}
      actions={actions}
      backups={backups}
    />
  );
  // `debug` makes Ink hand over each whole frame; FrameWriter draws only the changed lines and
  // coalesces bursts of updates into one frame per 33 ms.
  mark('render');
  const app = render(root, {
    stdout: frames as unknown as NodeJS.WriteStream,
    stdin: io.stdin,
    stderr: io.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    debug: true,
  });
  const appEnded = app.waitUntilExit().then(
    (): ExitReason => ({ kind: 'quit' }),
    (error: unknown): ExitReason => ({ kind: 'crash', error }),
  );

  let bugLogged = false;
  const version = opts.version ?? pkg.version;
  // Probe clients (pg, ioredis, the Docker client) are not needed for the first frame.
  const started = session
    .startPolling((err) => {
      // A bug past the probe boundary: keep polling, but leave a trace (once, not every interval).
      if (bugLogged) return;
      bugLogged = true;
      writeCrashLog(config.stateDir, err, { version });
    })
    .then(
      () => new Promise<ExitReason>(() => {}),
      (error: unknown): ExitReason => ({ kind: 'crash', error }),
    );

  const reason = await Promise.race([quitting, appEnded, exits.reason, started]);
  app.unmount();
  // A drill or restore still running is cancelled at its next safe point (a restore says where it
  // stands in the audit trail).
  backups.dispose();
  stopClock();
  frames.detach();
  viewStore.dispose();
  screen.restore();
  size.dispose();
  const captured = restoreConsole();
  if (captured.length > 0) io.stderr.write(`${captured.join('\n')}\n`);
  const code = exitCodeFor(reason);
  if (tracing) io.stderr.write(`${traceLine()}\nopsdeck: frames ${JSON.stringify(frames.stats)}\n`);
  if (reason.kind === 'crash') {
    const file = writeCrashLog(config.stateDir, reason.error, {
      version,
      columns: io.stdout.columns,
      rows: io.stdout.rows,
    });
    const message = reason.error instanceof Error ? reason.error.message : String(reason.error);
    io.stderr.write(
      `opsdeck: unexpected error: ${message}\n${file ? `opsdeck: details were written to ${file}\n` : ''}`,
    );
  } else if (reason.kind === 'signal' && reason.signal !== 'SIGHUP') {
    io.stderr.write(`opsdeck: stopped by ${reason.signal}\n`);
  }
  await Promise.all([
    session.stopPolling(opts.closeTimeoutMs ?? 2000),
    withinMs(actions.dispose(), opts.closeTimeoutMs ?? 2000),
  ]);
  exits.dispose();
  const force = opts.forceExitAfterMs ?? 1500;
  if (force > 0) {
    // Sockets a client library forgot to close must not keep a quit console alive.
    setTimeout(() => process.exit(code), force).unref();
  }
  return code;
}

/** Waits for `p` at most `ms` (a log child that ignores SIGTERM is killed by its own grace timer). */
async function withinMs(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Keeps library console output off the screen while it is ours; returns a function that restores
 * console and hands back the last lines.
 */
function captureConsole(limit = 50): () => string[] {
  const saved = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  const lines: string[] = [];
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 2 }))).join(' '));
      if (lines.length > limit) lines.shift();
    };
  }
  return () => {
    for (const [m, fn] of saved) console[m] = fn;
    return lines;
  };
}
