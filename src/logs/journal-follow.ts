// Following the systemd journal: `journalctl -f -o json [-u UNIT] [-p PRIO] [--directory DIR |
// --file F]` (an argument vector, never a shell), one JSON object per line. MESSAGE may be a
// string, null or an array of bytes (binary or non-UTF-8 messages); PRIORITY 0-3 marks the line
// ERROR and 4 WARN, 5-7 leaves the mark to the text (services writing everything to stdout land
// at priority 6). If journalctl dies it is started again with a growing pause, after the last
// entry seen (--after-cursor), so no line is shown twice; a missing journalctl ends the source
// with a message saying so.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter, stripControl } from './line-splitter.js';
import type { LogLevel } from './classify.js';
import type { LogStream, SourceSink } from './types.js';

export interface JournalSourceConfig {
  unit?: string | undefined;
  priority?: number | string | undefined;
  /** A journal directory or file to read instead of the system journal (remote or exported journals). */
  directory?: string | undefined;
  file?: string | undefined;
}

export interface JournalFollowOptions {
  /** The journalctl program (default: `journalctl` from PATH). */
  journalctl?: string;
  /** Entries of history to start with (default 100). */
  lines?: number;
  /** First pause before starting a journalctl that died (default 1 s; doubles to 30 s). */
  restartMs?: number;
  env?: NodeJS.ProcessEnv;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The argument vector of journalctl for one source (without the program itself). */
export function journalArgs(src: JournalSourceConfig, opts: { lines?: number; afterCursor?: string } = {}): string[] {
  const args = ['-f', '-o', 'json', '--no-pager'];
  if (opts.afterCursor !== undefined) args.push(`--after-cursor=${opts.afterCursor}`);
  else args.push('-n', String(opts.lines ?? 100));
  if (src.unit !== undefined) args.push('-u', src.unit);
  if (src.priority !== undefined) args.push('-p', String(src.priority));
  if (src.directory !== undefined) args.push('--directory', src.directory);
  if (src.file !== undefined) args.push('--file', src.file);
  return args;
}

/** The mark a journal priority gives: 0-3 error, 4 warn, otherwise none (the text decides). */
export function priorityLevel(priority: unknown): LogLevel | undefined {
  const p = typeof priority === 'string' ? Number(priority) : typeof priority === 'number' ? priority : NaN;
  if (!Number.isInteger(p)) return undefined;
  if (p <= 3) return 'error';
  if (p === 4) return 'warn';
  return undefined;
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  // A field set more than once in an entry comes as an array of values.
  if (Array.isArray(v)) return v.map(fieldText).join(' ');
  return '';
}

export interface JournalEntry {
  text: string;
  level: LogLevel | undefined;
  cursor: string | undefined;
  /** When the entry was written (ms since the epoch), if known. */
  time: number | undefined;
}

/** One line of `journalctl -o json` as the Logs view shows it: `Mmm dd HH:MM:SS ident[pid]: message`. */
export function parseJournalLine(line: string): JournalEntry | null {
  let e: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (v === null || typeof v !== 'object') return null;
    e = v as Record<string, unknown>;
  } catch {
    return null;
  }
  const us = Number(fieldText(e.__REALTIME_TIMESTAMP));
  const time = Number.isFinite(us) && us > 0 ? Math.floor(us / 1000) : undefined;
  const ident = fieldText(e.SYSLOG_IDENTIFIER) || fieldText(e._COMM) || fieldText(e._SYSTEMD_UNIT);
  const pid = fieldText(e.SYSLOG_PID) || fieldText(e._PID);
  const message = stripControl(fieldText(e.MESSAGE).replace(/\n+$/, '').replace(/\n/g, ' ⏎ '));
  let stamp = '';
  if (time !== undefined) {
    const d = new Date(time);
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    stamp = `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${hms} `;
  }
  const who = ident ? `${ident}${pid ? `[${pid}]` : ''}: ` : '';
  const cursor = typeof e.__CURSOR === 'string' ? e.__CURSOR : undefined;
  return { text: `${stamp}${who}${message}`, level: priorityLevel(fieldText(e.PRIORITY)), cursor, time };
}

/** A followed journal: stop() plus the pid of the journalctl running now (for tests). */
export interface JournalStream extends LogStream {
  readonly pid: number | undefined;
}

/** Follows the journal for `src` and reports entries to `sink` until stop(). */
export function followJournal(
  src: JournalSourceConfig,
  sink: SourceSink,
  opts: JournalFollowOptions = {},
): JournalStream {
  const program = opts.journalctl ?? 'journalctl';
  const firstPause = opts.restartMs ?? 1000;
  let pause = firstPause;
  let child: ChildProcess | null = null;
  let stopped = false;
  let cursor: string | undefined;
  let timer: NodeJS.Timeout | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = (): void => {
    const startedAt = Date.now();
    const args = journalArgs(src, {
      ...(opts.lines !== undefined ? { lines: opts.lines } : {}),
      ...(cursor ? { afterCursor: cursor } : {}),
    });
    const c = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    child = c;
    let stderr = '';
    let missing = false;
    const texts: string[] = [];
    const levels: (LogLevel | undefined)[] = [];
    const splitter = new LineSplitter((l) => {
      const e = parseJournalLine(l);
      if (!e) return;
      if (e.cursor) cursor = e.cursor;
      texts.push(e.text);
      levels.push(e.level);
    }, 1024 * 1024);
    const flush = (): void => {
      if (texts.length === 0) return;
      sink.lines(texts.splice(0), undefined, levels.splice(0));
    };
    c.stdout!.on('data', (b: Buffer) => {
      splitter.push(b);
      flush();
    });
    c.stderr!.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString('utf8');
    });
    exited = new Promise<void>((resolve) => {
      c.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          missing = true;
          if (!stopped)
            sink.end(
              `journalctl not found (${program}): install systemd (Debian package systemd), or configure a file source`,
              true,
            );
        } else if (!stopped) sink.end(`cannot run journalctl: ${err.message}`, true);
        resolve();
      });
      c.once('close', (code, signal) => {
        splitter.flush();
        flush();
        resolve();
        if (stopped || missing) return;
        const why = stderr.trim().split('\n').pop() || (signal ? `killed by ${signal}` : `exit code ${code}`);
        // A journalctl that ran a while had a good start; begin the backoff again.
        if (Date.now() - startedAt > 10_000) pause = firstPause;
        sink.status(`journalctl ended (${why}); starting it again in ${Math.round(pause / 100) / 10} s`);
        timer = setTimeout(() => {
          timer = null;
          if (!stopped) start();
        }, pause);
        pause = Math.min(pause * 2, 30_000);
      });
    });
  };

  start();
  return {
    get pid() {
      return child?.pid;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await exited;
    },
  };
}
