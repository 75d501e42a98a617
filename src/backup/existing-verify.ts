// Verifying a backup another tool wrote (`backups.existing`): no sidecar, so nothing was recorded
// at backup time to compare with — the file must prove itself by reading completely. The result
// goes into opsdeck's facts store (existing-facts.ts), never beside the file.
//
// Two ways, for two callers:
// - checkExisting: the background verifier and `opsdeck verify FILE`. Everything runs in child
//   processes given as argument vectors, at the lowest priority when asked (`ionice -c 3 nice -n
//   19 …`: idle I/O class, nice 19; both are inherited by a tool's own children, e.g. tar's
//   decompressor), and the fastest decompressor installed: ISA-L's `igzip` (Debian `isal`), else
//   GNU gzip. plain .sql.gz: the decompressor's stdout goes straight into `tail -c 4096` (opsdeck
//   reads 4 KiB, never the stream): gzip CRC by the decompressor's exit, the pg_dump completion
//   marker in the tail; custom: `pg_restore --list`; tar.gz: a full listing through the same
//   decompressor; a copied file (`env.production_TS`): readable, its size. Every file: sha256
//   (`openssl dgst`, else `sha256sum`).
// - verifyAndCount: a restore's or drill's preflight, in process at normal priority (the operator
//   is waiting): one pass that hashes, decompresses, checks the marker and counts the rows of every
//   COPY block (custom: `pg_restore --data-only -f -`, counted the same way), so the restore can be
//   verified against the backup's own rows.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyRowCounter, type CopyCounts } from './copy-count.js';
import type { CatalogEntry } from './catalog.js';
import { findExisting, type ExistingDir, type FileIdentity } from './existing.js';
import { factsPath, identityOf, recordFact, type StreamCount } from './existing-facts.js';
import { findPgTool } from './pg-tools.js';
import type { Plan } from '../plan/plan.js';
import type { VerifyPlan } from './plans.js';
import { BackupError, verifyResult, type BackupFormat, type VerifyCheck, type VerifyResult } from './types.js';
import { checkCustom, checkPlainGz, DUMP_COMPLETE_MARKER, hasCompletionMarker, hashFile } from './verify-checks.js';

/** The first row of every existing backup's verification: there is nothing to compare the sha256 with. */
export const NO_RECORDED_CHECKSUM = 'no checksum was recorded at backup time (written by another tool)';

export interface ExistingCheckOptions {
  signal?: AbortSignal;
  /** `ionice -c 3 nice -n 19` in front of every tool (the background verifier). */
  lowPriority?: boolean;
  /** Told about every child started (pid and full argv), e.g. to show its priority. */
  onSpawn?: (pid: number, argv: string[]) => void;
  pgRestore?: string;
  /** Decompressor to use (default: igzip when installed, else gzip). */
  gunzip?: string;
}

export interface ExistingCheckReport extends VerifyResult {
  file: string;
  sha256: string;
  identity: FileIdentity;
}

const found = new Map<string, string | undefined>();

/** A command on PATH (cached), or undefined. */
function which(cmd: string): string | undefined {
  if (found.has(cmd)) return found.get(cmd);
  let hit: string | undefined;
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    try {
      accessSync(path.join(d, cmd), constants.X_OK);
      hit = path.join(d, cmd);
      break;
    } catch {
      // not here
    }
  }
  found.set(cmd, hit);
  return hit;
}

/** igzip (ISA-L, about 5× GNU gzip's decompression speed) when installed, else gzip. */
export function defaultGunzip(): string {
  return which('igzip') ?? 'gzip';
}

/** The argv of `bin args`, at the lowest CPU and I/O priority when `low`. */
export function priorityArgv(bin: string, args: string[], low: boolean): string[] {
  return low ? ['ionice', '-c', '3', 'nice', '-n', '19', bin, ...args] : [bin, ...args];
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: string;
}

/** Starts argv; stdin from `stdin` (a child's stdout) or nothing. */
function start(argv: string[], opts: ExistingCheckOptions, stdin?: Readable): ChildProcess {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    stdio: [stdin ?? 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid, argv);
  return child;
}

/** Collects a child's output (stdout up to `keep` bytes from the end) and its exit; kills it on abort. */
function finish(
  child: ChildProcess,
  signal: AbortSignal | undefined,
  keep = 1 << 20,
  onData?: (b: Buffer) => void,
): Promise<Ran> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    if (onData) child.stdout?.on('data', onData);
    else {
      child.stdout?.setEncoding('latin1');
      child.stdout?.on('data', (s: string) => {
        out += s;
        if (out.length > keep * 2) out = out.slice(-keep);
      });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => (err = (err + s).slice(-4000)));
    const onAbort = (): void => void child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    let spawnError: string | undefined;
    child.once('error', (e) => (spawnError = e.message));
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout: out.slice(-keep), stderr: err.trim(), ...(spawnError ? { spawnError } : {}) });
    });
  });
}

function failLine(tool: string, r: Ran): string {
  if (r.spawnError) return `${tool} could not start: ${r.spawnError}`;
  const last = r.stderr.split('\n').filter((l) => l.trim() !== '');
  return `${tool} exited with code ${r.code}${last.length ? `: ${last.slice(-2).join(' / ')}` : ''}`;
}

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackupError('cancelled', 'verification cancelled');
}

/** sha256 of a file by a child (`openssl dgst -sha256 -r`, else `sha256sum`). */
async function childSha256(file: string, opts: ExistingCheckOptions): Promise<string | { error: string }> {
  const low = opts.lowPriority === true;
  const [bin, args] = which('openssl') ? ['openssl', ['dgst', '-sha256', '-r', file]] : ['sha256sum', [file]];
  const r = await finish(start(priorityArgv(bin, args, low), opts), opts.signal);
  cancelled(opts.signal);
  const hex = /^([0-9a-f]{64})\b/.exec(r.stdout.trim());
  return r.code === 0 && hex ? hex[1]! : { error: failLine(bin, r) };
}

/** gzip CRC and the completion marker of a plain dump: `gunzip -dc FILE | tail -c 4096`, both children. */
async function plainChecks(file: string, opts: ExistingCheckOptions): Promise<VerifyCheck[]> {
  const low = opts.lowPriority === true;
  const gz = file.endsWith('.gz');
  let tailRan: Ran;
  let gzRan: Ran | undefined;
  const gunzip = opts.gunzip ?? defaultGunzip();
  if (gz) {
    const dec = start(priorityArgv(gunzip, ['-dc', file], low), opts);
    const tail = start(priorityArgv('tail', ['-c', '4096'], low), opts, dec.stdout!);
    // The pipe now belongs to tail: opsdeck's end is closed so it never reads (or holds back) the stream.
    dec.stdout!.destroy();
    [gzRan, tailRan] = await Promise.all([finish(dec, opts.signal), finish(tail, opts.signal)]);
  } else {
    tailRan = await finish(start(priorityArgv('tail', ['-c', '4096', file], low), opts), opts.signal);
  }
  cancelled(opts.signal);
  const checks: VerifyCheck[] = [];
  const tool = gunzip.split('/').pop()!;
  if (gzRan) {
    checks.push(
      gzRan.code === 0
        ? { name: 'gzip', ok: true, detail: `decompresses completely (${tool}: CRC and length ok)` }
        : { name: 'gzip', ok: false, detail: `does not decompress: ${failLine(tool, gzRan)}` },
    );
  }
  if (tailRan.code !== 0) checks.push({ name: 'marker', ok: false, detail: failLine('tail', tailRan) });
  else
    checks.push(
      hasCompletionMarker(Buffer.from(tailRan.stdout, 'latin1'))
        ? { name: 'marker', ok: true, detail: `ends with "${DUMP_COMPLETE_MARKER}"` }
        : {
            name: 'marker',
            ok: false,
            detail: `the dump does not end with "${DUMP_COMPLETE_MARKER}" (pg_dump did not finish, or the file is cut)`,
          },
    );
  return checks;
}

async function tarChecks(file: string, opts: ExistingCheckOptions): Promise<VerifyCheck[]> {
  const gunzip = opts.gunzip ?? defaultGunzip();
  const args = [`--use-compress-program=${gunzip}`, '-tf', file];
  const r = await finish(start(priorityArgv('tar', args, opts.lowPriority === true), opts), opts.signal, 1 << 26);
  cancelled(opts.signal);
  const entries = r.stdout.split('\n').filter((l) => l !== '').length;
  return r.code === 0
    ? [
        { name: 'gzip', ok: true, detail: 'decompresses completely' },
        { name: 'tar', ok: true, detail: `${entries} entries listed (tar -t reads the whole archive)` },
      ]
    : [{ name: 'tar', ok: false, detail: `the archive does not list completely: ${failLine('tar', r)}` }];
}

async function customChecks(file: string, opts: ExistingCheckOptions): Promise<VerifyCheck[]> {
  const bin = opts.pgRestore ?? findPgTool('pg_restore');
  const r = await finish(
    start(priorityArgv(bin, ['--list', '--file=/dev/null', file], opts.lowPriority === true), opts),
    opts.signal,
  );
  cancelled(opts.signal);
  return [
    r.code === 0
      ? { name: 'pg_restore', ok: true, detail: '`pg_restore --list` reads the table of contents' }
      : { name: 'pg_restore', ok: false, detail: failLine('pg_restore', r) },
  ];
}

/**
 * Verifies an existing backup with child processes (see the header); never rejects for a bad file, only for a
 * missing one or a cancel.
 */
export async function checkExisting(
  file: string,
  format: BackupFormat,
  opts: ExistingCheckOptions = {},
): Promise<ExistingCheckReport> {
  const identity = await identityOf(file).catch((err: NodeJS.ErrnoException) => {
    throw new BackupError('source', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const sha = await childSha256(file, opts);
  const checks: VerifyCheck[] = [
    typeof sha === 'string'
      ? { name: 'sha256', ok: true, detail: `${sha}: ${NO_RECORDED_CHECKSUM}` }
      : { name: 'sha256', ok: false, detail: `cannot read the file: ${sha.error}` },
  ];
  if (typeof sha === 'string') {
    if (format === 'plain') checks.push(...(await plainChecks(file, opts)));
    else if (format === 'custom') checks.push(...(await customChecks(file, opts)));
    else if (format === 'tar') checks.push(...(await tarChecks(file, opts)));
    else checks.push({ name: 'size', ok: true, detail: `readable to the end, ${identity.size} bytes` });
  }
  // The file changed while it was read (the other tool was still writing it): say so, do not trust it.
  const after = await identityOf(file).catch(() => undefined);
  if (!after || after.size !== identity.size || after.mtimeMs !== identity.mtimeMs)
    checks.push({ name: 'size', ok: false, detail: 'the file changed while it was being verified: try again later' });
  return { ...verifyResult(checks), file, sha256: typeof sha === 'string' ? sha : '', identity };
}

/** Verifies `entry` (an existing backup) and records the result in the facts store; the report. */
export async function verifyExistingEntry(
  entry: Pick<CatalogEntry, 'path' | 'format'>,
  factsFile: string,
  opts: ExistingCheckOptions = {},
): Promise<ExistingCheckReport> {
  const report = await checkExisting(entry.path, entry.format, opts);
  const result: VerifyResult = { ok: report.ok, at: report.at, checks: report.checks, message: report.message };
  await recordFact(factsFile, entry.path, report.identity, entry.format, {
    verify: result,
    ...(report.sha256 ? { sha256: report.sha256 } : {}),
  });
  return report;
}

/**
 * Re-verifying an existing backup as the audited `backup.verify` plan (read-only: it writes only opsdeck's own state
 * directory). At normal priority unless `lowPriority`: the operator asked and is waiting.
 */
export function existingVerifyPlan(
  entry: Pick<CatalogEntry, 'path' | 'format'>,
  factsFile: string,
  opts: Omit<ExistingCheckOptions, 'signal'> = {},
): VerifyPlan {
  let report: ExistingCheckReport | undefined;
  const file = entry.path;
  const plan: Plan = {
    action: 'backup.verify',
    target: file,
    danger: 'safe',
    changesState: false,
    steps: [
      {
        id: 'verify',
        title: 're-verify the backup (written by another tool)',
        describe: () => ({
          kind: 'check',
          text:
            `${NO_RECORDED_CHECKSUM}: sha256 computed, full decompression (gzip CRC), dump completion marker / ` +
            `pg_restore --list / tar listing; the result is written to ${factsFile}, nothing beside the file`,
        }),
        cancellable: true,
        run: async (ctx) => {
          report = await verifyExistingEntry(entry, factsFile, { ...opts, signal: ctx.signal });
          for (const c of report.checks) ctx.output(`${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`);
          if (!report.ok) throw new BackupError('verify_failed', `not verified: ${report.message}`);
          return `${report.message} (recorded in ${factsFile})`;
        },
      },
    ],
  };
  return {
    plan,
    report: () =>
      report && {
        ok: report.ok,
        at: report.at,
        checks: report.checks,
        message: report.message,
        file,
        recorded: true,
        recordedIn: factsFile,
        sidecarProblem: `no sidecar: written by another tool; ${NO_RECORDED_CHECKSUM}`,
      },
  };
}

/** The existing directories and facts file of a configuration. */
export function existingContextOf(cfg: {
  backups: { existing: readonly ExistingDir[] };
  stateDir: string;
}): ExistingContext {
  return { dirs: cfg.backups.existing, factsFile: factsPath(cfg.stateDir) };
}

/** Where an existing backup's facts live and which directories are existing ones. */
export interface ExistingContext {
  dirs: readonly ExistingDir[];
  factsFile: string;
}

/** The existing-backup entry of `file`, unless it is one of opsdeck's own (under `ownRoot`) or not in any dir. */
export async function existingEntryOf(
  file: string,
  ctx: ExistingContext | undefined,
  ownRoot?: string,
): Promise<CatalogEntry | undefined> {
  if (!ctx || ctx.dirs.length === 0) return undefined;
  // A sidecar-less file in opsdeck's own directory is an interrupted publish: it stays untrusted.
  if (ownRoot && isInside(ownRoot, file)) return undefined;
  return findExisting(file, ctx.dirs);
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** What verifyAndCount learned: the checks, the sha256 and the rows of every table in the stream. */
export interface CountedReport extends VerifyResult {
  sha256: string;
  identity: FileIdentity;
  counts?: CopyCounts;
}

/** Row counts as stored in the facts store. */
export function streamCountsOf(c: CopyCounts): StreamCount[] {
  return [...c.counts]
    .filter(([k]) => !c.duplicates.has(k))
    .map(([k, rows]) => {
      const [schema, table] = k.split('\u0000') as [string, string];
      return { schema, table, rows };
    });
}

/**
 * One in-process pass over an existing dump (a restore's preflight): sha256, full decompression, the completion
 * marker and the rows of every COPY block; custom: `pg_restore --list`, then `pg_restore --data-only -f -` counted
 * the same way. Never rejects for a bad file.
 */
export async function verifyAndCount(
  file: string,
  format: BackupFormat,
  opts: { signal?: AbortSignal; pgRestore?: string } = {},
): Promise<CountedReport> {
  const signal = opts.signal ?? new AbortController().signal;
  const identity = await identityOf(file).catch((err: NodeJS.ErrnoException) => {
    throw new BackupError('source', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const counter = new CopyRowCounter();
  const checks: VerifyCheck[] = [];
  let sha256 = '';
  if (format === 'plain' && file.endsWith('.gz')) {
    const rows = await checkPlainGz(file, undefined, signal, (b) => counter.push(b));
    for (const c of rows) {
      if (c.name === 'sha256') {
        sha256 = /^([0-9a-f]{64})/.exec(c.detail)?.[1] ?? '';
        checks.unshift({ name: 'sha256', ok: true, detail: `${sha256}: ${NO_RECORDED_CHECKSUM}` });
      } else checks.push(c);
    }
  } else if (format === 'plain') {
    const hash = createHash('sha256');
    let tail = Buffer.alloc(0);
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          counter.push(chunk);
          tail = Buffer.concat([tail, chunk]).subarray(-4096);
          cb();
        },
      }),
      { signal },
    );
    sha256 = hash.digest('hex');
    checks.push({ name: 'sha256', ok: true, detail: `${sha256}: ${NO_RECORDED_CHECKSUM}` });
    checks.push(
      hasCompletionMarker(tail)
        ? { name: 'marker', ok: true, detail: `ends with "${DUMP_COMPLETE_MARKER}"` }
        : { name: 'marker', ok: false, detail: `the dump does not end with "${DUMP_COMPLETE_MARKER}"` },
    );
  } else if (format === 'custom') {
    const pgRestore = opts.pgRestore ?? findPgTool('pg_restore');
    sha256 = (await hashFile(file, signal)).sha256;
    checks.push({ name: 'sha256', ok: true, detail: `${sha256}: ${NO_RECORDED_CHECKSUM}` });
    const list = await checkCustom(file, pgRestore, false, signal);
    checks.push(...list);
    if (list.every((c) => c.ok)) {
      const child = spawn(pgRestore, ['--data-only', '--file=-', file], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
      const r = await finish(child, signal, 0, (b) => counter.push(b));
      cancelled(signal);
      checks.push(
        r.code === 0
          ? { name: 'pg_restore', ok: true, detail: 'every data block reads back (pg_restore --data-only -f -)' }
          : { name: 'pg_restore', ok: false, detail: failLine('pg_restore', r) },
      );
    }
  } else {
    throw new BackupError('source', `${file}: a ${format} backup is not a PostgreSQL dump`);
  }
  const counts = counter.result();
  if (counts.truncated && checks.every((c) => c.ok))
    checks.push({ name: 'marker', ok: false, detail: 'the stream ends inside a table’s data (truncated)' });
  const st = await stat(file).catch(() => undefined);
  if (!st || st.size !== identity.size || st.mtimeMs !== identity.mtimeMs)
    checks.push({ name: 'size', ok: false, detail: 'the file changed while it was being verified: try again later' });
  return { ...verifyResult(checks), sha256, identity, counts };
}
