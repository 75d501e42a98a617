// Loading a backup into an (empty) database. Plain dumps: the file is gunzipped in-process and
// streamed into `psql -X -v ON_ERROR_STOP=1`, inside a BEGIN … COMMIT that we write ourselves —
// the COMMIT only once the whole file has decompressed and ended with pg_dump's completion
// marker, so a file cut short can never commit half a database (psql --single-transaction would
// commit at an early EOF). Custom dumps: `pg_restore --exit-on-error --single-transaction`.
// Connection details and the password travel in the environment, never in argv.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { ActionError } from '../plan/errors.js';
import { showArgv, type StepContext } from '../plan/plan.js';
import { findPgTool, pgChildEnv, type PgTarget } from '../backup/pg-tools.js';
import { DUMP_COMPLETE_MARKER } from '../backup/verify-checks.js';
import { conninfoValue } from './sql.js';
import { bytes } from '../present/format.js';

export interface LoadOptions {
  file: string;
  format: 'plain' | 'custom';
  /** The server; `database` is the database loaded into. */
  target: PgTarget;
  /** One transaction (default true): a failure leaves the database empty, not half loaded. */
  singleTransaction?: boolean;
  psql?: string;
  pgRestore?: string;
  env?: NodeJS.ProcessEnv;
}

/** The tool's argv (no secrets, no connection details except pg_restore's quoted dbname). */
export function loadArgv(o: LoadOptions): string[] {
  const one = o.singleTransaction !== false;
  if (o.format === 'plain') return [o.psql ?? findPgTool('psql'), '-X', '-v', 'ON_ERROR_STOP=1', '--no-password'];
  // pg_restore needs --dbname to restore into a database at all; a quoted conninfo keeps any name one value.
  return [
    o.pgRestore ?? findPgTool('pg_restore'),
    '--no-password',
    '--exit-on-error',
    ...(one ? ['--single-transaction'] : []),
    `--dbname=dbname=${conninfoValue(o.target.database)}`,
    o.file,
  ];
}

/** One line saying exactly what the load runs (password shown as ***). */
export function describeLoad(o: LoadOptions): string {
  const t = o.target;
  const database = o.format === 'plain' ? ` PGDATABASE=${showArgv([t.database])}` : '';
  const password = t.password !== undefined ? ' PGPASSWORD=***' : '';
  const env = `PGHOST=${t.host} PGPORT=${t.port} PGUSER=${t.user}${database}${password}`;
  if (o.format === 'custom') return `${env} ${showArgv(loadArgv(o))}`;
  const tx =
    o.singleTransaction !== false
      ? ', wrapped in BEGIN … COMMIT ' +
        `(COMMIT only when the file decompressed completely and ends with "${DUMP_COMPLETE_MARKER}")`
      : '';
  return `gunzip (in-process) < ${showArgv([o.file])} | ${env} ${showArgv(loadArgv(o))}${tx}`;
}

function childEnv(o: LoadOptions): NodeJS.ProcessEnv {
  const env = pgChildEnv(o.target, o.env);
  env.PGAPPNAME = 'opsdeck-restore';
  return env;
}

/** Loads the file into the target database; throws an ActionError in words when anything fails. */
export async function loadBackup(
  o: LoadOptions,
  ctx: Pick<StepContext, 'signal' | 'output' | 'progress'>,
): Promise<string> {
  const size = (await stat(o.file)).size;
  const argv = loadArgv(o);
  const child = spawn(argv[0]!, argv.slice(1), {
    env: childEnv(o),
    stdio: [o.format === 'plain' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  const lines = (stream: NodeJS.ReadableStream, isErr: boolean): void => {
    let carry = '';
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      const parts = (carry + s).split('\n');
      carry = parts.pop() ?? '';
      for (const p of parts) {
        if (p.trim() === '') continue;
        ctx.output(p);
        if (!isErr) continue;
        errors.push(p.trim());
        if (errors.length > 20) errors.shift();
      }
    });
  };
  lines(child.stdout!, false);
  lines(child.stderr!, true);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: string }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e.message }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // Killing, not closing stdin: an EOF would let psql finish what it has; a kill makes the server roll back.
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = (): void => kill();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let feedError: Error | undefined;
    if (o.format === 'plain') feedError = await feed(o, child.stdin!, size, ctx, kill, exited);
    else await pollOffset(child.pid, o.file, size, exited, ctx);
    const exit = await exited;
    const tool = path.basename(argv[0]!);
    if (ctx.signal.aborted)
      throw new ActionError(
        'cancelled',
        `the restore was cancelled; ${tool} was stopped and its transaction rolled back`,
      );
    if (exit.spawnError) throw new ActionError('command_failed', `cannot run ${tool}: ${exit.spawnError}`);
    if (exit.code !== 0) {
      const why = errors.find((l) => /ERROR|FATAL|error:/.test(l)) ?? errors.at(-1) ?? feedError?.message ?? '';
      const how = exit.code === null ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
      throw new ActionError('command_failed', `${tool} ${how}${why ? `: ${why}` : ''}`);
    }
    if (feedError) throw new ActionError('failed', `reading ${path.basename(o.file)} failed: ${feedError.message}`);
    ctx.progress({ done: size, total: size, unit: 'bytes', label: 'loaded' });
    return `${bytes(size)} loaded${o.singleTransaction !== false ? ' in one transaction' : ''}`;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    kill();
  }
}

/**
 * Streams BEGIN, the gunzipped file and (only if it was whole) COMMIT into psql; resolves to the read error, if
 * any.
 */
async function feed(
  o: LoadOptions,
  stdin: NodeJS.WritableStream & { destroy(): void },
  size: number,
  ctx: Pick<StepContext, 'signal' | 'progress'>,
  kill: () => void,
  exited: Promise<unknown>,
): Promise<Error | undefined> {
  const one = o.singleTransaction !== false;
  let read = 0;
  let last = 0;
  let tail: Buffer = Buffer.alloc(0);
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      read += chunk.length;
      const now = performance.now();
      if (now - last > 200) {
        last = now;
        ctx.progress({ done: read, total: size, unit: 'bytes', label: `${bytes(read)} of ${bytes(size)}` });
      }
      cb(null, chunk);
    },
  });
  const tap = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _e, cb) {
      tail = chunk.length >= 1024 ? chunk.subarray(-1024) : Buffer.concat([tail, chunk]).subarray(-1024);
      cb(null, chunk);
    },
  });
  // psql stops reading when it fails (or dies): stop feeding it; its exit code and stderr say why.
  const stop = new AbortController();
  stdin.on('error', (e: Error) => stop.abort(e));
  void exited.then(() => stop.abort(new Error('psql exited before the whole dump was sent')));
  // pipe(), not pipeline(), into psql: a failed read must never END its input (psql would run what it has);
  // on failure we kill psql first, so the server rolls the open transaction back.
  tap.pipe(stdin, { end: false });
  try {
    if (one) stdin.write('BEGIN;\n');
    // Big inflate chunks: every chunk is a round trip to zlib's thread, and psql reads faster than 16 KiB at a time.
    await pipeline(
      createReadStream(o.file, { highWaterMark: 1024 * 1024 }),
      counter,
      createGunzip({ chunkSize: 256 * 1024 }),
      tap,
      { signal: AbortSignal.any([ctx.signal, stop.signal]) },
    );
    if (!tap.readableEnded) await once(tap, 'end', { signal: stop.signal });
    if (!tail.toString('latin1').includes(DUMP_COMPLETE_MARKER))
      throw new Error(`the dump does not end with "${DUMP_COMPLETE_MARKER}"`);
    if (stop.signal.aborted) throw stop.signal.reason as Error;
    if (one) stdin.end('\nCOMMIT;\n');
    else stdin.end();
    return undefined;
  } catch (err) {
    kill();
    tap.unpipe(stdin);
    stdin.destroy();
    return (stop.signal.aborted ? stop.signal.reason : err) as Error;
  }
}

/** Reports how far pg_restore has read the archive, from /proc/<pid>/fdinfo, until it exits. */
async function pollOffset(
  pid: number | undefined,
  file: string,
  size: number,
  exited: Promise<unknown>,
  ctx: Pick<StepContext, 'progress'>,
): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const real = path.resolve(file);
  let fd: string | undefined;
  while (!done) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
    if (done || pid === undefined) break;
    try {
      fd ??= await findFd(pid, real);
      if (!fd) continue;
      const pos = /^pos:\s*(\d+)/m.exec(await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (pos)
        ctx.progress({
          done: Number(pos[1]),
          total: size,
          unit: 'bytes',
          label: `${bytes(Number(pos[1]))} of ${bytes(size)} read`,
        });
    } catch {
      // the process is gone, or /proc is not Linux's: no progress, the restore goes on
    }
  }
}

async function findFd(pid: number, real: string): Promise<string | undefined> {
  for (const f of await readdir(`/proc/${pid}/fd`)) {
    if ((await readlink(`/proc/${pid}/fd/${f}`).catch(() => '')) === real) return f;
  }
  return undefined;
}
