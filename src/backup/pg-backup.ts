// A PostgreSQL backup job: pg_dump (argv, password in its environment) in the snapshot whose row
// counts we take, streamed through in-process gzip — or, for the custom format, written by
// pg_dump itself so the archive keeps the seekable table of contents that selective and parallel
// pg_restore need — into a hidden temp file; then verified and published (see job.ts).
// Plain dumps count their rows in the stream (copy-count.ts); custom ones with count(*) in the
// dump's exported snapshot, beside the dump (nothing runs inside pg_dump). Whatever does not
// depend on the previous step runs alongside it (tool version, fsync, read-back hash,
// pg_restore --list): on 2 cores, serial milliseconds are the wall-time budget.
import type { FileHandle } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { showArgv } from '../plan/plan.js';
import { createPartial, ensureDir, publish, removeQuietly } from './atomic.js';
import { scanCatalog } from './catalog.js';
import { describeExit, spawnTool, type Tool } from './child.js';
import { streamGzip, type GzipOutcome } from './gzip-stream.js';
import { CopyRowCounter, tableKey, type CopyCounts } from './copy-count.js';
import { asBackupError, type BackupJob, type BackupRecord, type JobOptions } from './job.js';
import { backupFileName, partialPath, sourceDir } from './naming.js';
import { openSession, type PgSession, type SnapshotTable } from './pg-snapshot.js';
import { findPgTool, pgChildEnv, pgDumpArgs, toolVersion, type PgTarget } from './pg-tools.js';
import { ensureSpace, estimateSize } from './preflight.js';
import { ProgressMeter } from './progress.js';
import { writeSidecarOrRetract, type RowCountMethod, type Sidecar } from './sidecar.js';
import { BackupError, verifyResult, type BackupSource, type VerifyCheck } from './types.js';
import { checkCustom, hashFile, hasCompletionMarker, DUMP_COMPLETE_MARKER } from './verify-checks.js';
import { bytes as formatBytes } from '../present/format.js';

export interface PgBackupOptions extends JobOptions {
  /** Server and database to dump (`database` is the one dumped). */
  target: PgTarget;
  kind: 'full' | 'data';
  format: 'plain' | 'custom';
  pgDump?: string;
  pgRestore?: string;
  /** Base environment for pg_dump (default process.env); PG* overrides are removed from it. */
  env?: NodeJS.ProcessEnv;
  /** Called once pg_dump runs, with its pid and full argv (tests check the argv holds no secret). */
  onSpawn?: (pid: number, argv: readonly string[]) => void;
}

/** Prepares (does not start) a backup of one database. */
export function pgBackupJob(opts: PgBackupOptions): BackupJob {
  const source: BackupSource = { type: 'postgres', name: opts.target.database };
  const dir = sourceDir(opts.root, source);
  // The name and startedAt come from when the work starts, not when the job was prepared (a plan may wait for a
  // confirmation).
  const clock = opts.now ?? (() => new Date());
  let at: Date | undefined;
  const start = (): Date => (at ??= clock());
  const nameFor = (n: number): string => backupFileName(source, opts.kind, opts.format, at ?? clock(), n);
  const pgDump = opts.pgDump ?? findPgTool('pg_dump');
  const pgRestore = opts.pgRestore ?? findPgTool('pg_restore');
  const meter = new ProgressMeter(opts.onProgress);
  let session: PgSession | undefined;
  let partial: { path: string; handle: FileHandle } | undefined;
  let tool: Tool | undefined;
  let done:
    | {
        sha256: string;
        size: number;
        bytesIn: number;
        gz?: GzipOutcome;
        counts: Record<string, number>;
        method: CountMethod;
      }
    | undefined;
  // Started as soon as their input is complete, awaited by verify(): custom — `pg_restore --list`
  // once pg_dump has exited; plain — the read-back hash once the last byte was written.
  let listing: Promise<VerifyCheck[]> | undefined;
  let readBack: Promise<{ sha256: string; size: number }> | undefined;
  let verification: VerifyCheck[] = [];
  let published = false;

  const argsFor = (snapshot?: string, file?: string): string[] =>
    pgDumpArgs({ kind: opts.kind, format: opts.format, ...(snapshot ? { snapshot } : {}), ...(file ? { file } : {}) });
  const connect = async (): Promise<PgSession> => (session ??= await openSession(opts.target));

  const job: BackupJob = {
    source,
    kind: opts.kind,
    format: opts.format,
    dir,
    describeDump: () => {
      const temp = partialPath(path.join(dir, nameFor(1)));
      const argv = showArgv([pgDump, ...argsFor('<exported>', opts.format === 'custom' ? temp : undefined)]);
      const t = opts.target;
      const password = t.password !== undefined ? ' PGPASSWORD=***' : '';
      const env = `PGHOST=${t.host} PGPORT=${t.port} PGUSER=${t.user} PGDATABASE=${showArgv([t.database])}${password}`;
      return opts.format === 'plain' ? `${env} ${argv} | gzip (in-process) > ${temp}` : `${env} ${argv}`;
    },

    async preflight(signal) {
      meter.enter('preflight');
      start();
      // The connection (needed by the dump anyway) and the catalog scan do not depend on each other.
      const history = ensureDir(dir).then(async () => (await scanCatalog(opts.root, source)).entries);
      history.catch(() => undefined);
      const s = await connect();
      if (signal.aborted) throw new BackupError('cancelled', 'cancelled');
      const need = estimateSize(s.databaseSize, opts.kind, opts.format, await history);
      const { free } = await ensureSpace(dir, need, `the ${opts.kind} backup of ${source.name}`);
      return `needs about ${formatBytes(need.bytes)}, ${formatBytes(free)} free`;
    },

    async dump(signal) {
      meter.enter('dump');
      start();
      // Cached per binary; publish() needs it, and it costs a process start: run it beside the dump.
      void toolVersion(pgDump);
      const s = await connect();
      await ensureDir(dir);
      const snapshot = await s.beginSnapshot();
      partial = await createPartial(path.join(dir, nameFor(1)));
      const args = argsFor(snapshot ?? undefined, opts.format === 'custom' ? partial.path : undefined);
      tool = spawnTool(pgDump, args, pgChildEnv(opts.target, opts.env), opts.format === 'plain' ? 'pipe' : 'ignore');
      if (tool.child.pid !== undefined) opts.onSpawn?.(tool.child.pid, [pgDump, ...args]);
      const t = tool;
      const onAbort = (): void => t.kill();
      signal.addEventListener('abort', onAbort, { once: true });
      // Runs beside the dump in the same snapshot (plain: the table list; custom: count(*) of every
      // table); its failure must not go unhandled meanwhile. Started with pg_dump, not later: its
      // first ≈ 100 ms are catalog queries, a ping-pong that leaves a core free (an A/B that waited
      // for pg_dump's first bytes was not faster: paired 1.078× against 1.010×, 21 rounds, on a
      // machine shared with other jobs).
      const counting: Promise<SnapshotTable[] | Record<string, number>> =
        opts.format === 'plain' ? s.listTables() : s.countRows(signal);
      counting.catch(() => undefined);
      try {
        let gz: GzipOutcome | undefined;
        const counter = new CopyRowCounter();
        if (opts.format === 'plain') {
          const handle = partial.handle;
          gz = await streamGzip(
            t.child.stdout!,
            handle,
            signal,
            (i, w) => meter.update(i, w),
            (b) => counter.push(b),
          ).catch(async (err: unknown) => {
            t.kill();
            await t.exited;
            throw err;
          });
          // Every byte is written: the file no longer changes, so reading it back can start now.
          readBack = hashFile(partial.path, signal);
          readBack.catch(() => undefined);
        } else {
          await pollSize(partial.path, partial.handle, t, meter);
        }
        const exit = await t.exited;
        if (signal.aborted) throw new BackupError('cancelled', 'cancelled');
        if (exit.code !== 0) throw new BackupError('dump_failed', describeExit('pg_dump', exit, t.stderrTail()));
        const file = partial.path;
        const handle = partial.handle;
        // None of these depends on another: the flush to disk, the hash of what pg_dump wrote
        // (custom: the read-back; plain hashed the bytes as it wrote them), its table of contents
        // (awaited by verify), and the rest of the row counts, after which the snapshot's
        // transaction ends. Started together, awaited together.
        const hashed = gz ? Promise.resolve(undefined) : hashFile(file, signal);
        hashed.catch(() => undefined);
        const flushed = handle.sync().then(() => handle.stat());
        flushed.catch(() => undefined);
        if (!gz) {
          listing = checkCustom(file, pgRestore, false, signal);
          listing.catch(() => undefined);
        }
        const finishing = counting.then(async (counted) => {
          const r = Array.isArray(counted)
            ? await streamCounts(counter.result(), counted, s, signal, snapshot !== null)
            : {
                counts: counted,
                method: snapshot !== null ? ('exported-snapshot' as const) : ('separate-transaction' as const),
              };
          await s.close();
          return r;
        });
        const [{ counts, method }, { size }, back] = await Promise.all([finishing, flushed, hashed]);
        const sha256 = gz ? gz.sha256 : back!.sha256;
        done = { sha256, size, bytesIn: gz ? gz.bytesIn : size, counts, method, ...(gz ? { gz } : {}) };
        meter.update(done.bytesIn, size);
        const compressed = gz ? `, ${formatBytes(size)} compressed` : '';
        const tables = Object.keys(counts).length;
        return `${formatBytes(done.bytesIn)} dumped${compressed}, ${tables} tables counted (${COUNTED_BY[method]})`;
      } catch (err) {
        t.kill();
        await t.exited;
        throw asBackupError(err, signal, 'writing the backup');
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },

    async verify(signal) {
      meter.enter('verify');
      if (!done || !partial) throw new BackupError('verify_failed', 'nothing to verify: the dump did not complete');
      const checks: VerifyCheck[] = [];
      if (done.gz) {
        const gz = done.gz;
        checks.push(
          gz.gzipError !== undefined
            ? { name: 'gzip', ok: false, detail: `written bytes do not decompress: ${gz.gzipError}` }
            : gz.inflated !== gz.bytesIn
              ? { name: 'gzip', ok: false, detail: `decompresses to ${gz.inflated} bytes, ${gz.bytesIn} were written` }
              : { name: 'gzip', ok: true, detail: `decompresses completely (${gz.inflated} bytes, CRC ok)` },
        );
        checks.push(
          hasCompletionMarker(gz.tail)
            ? { name: 'marker', ok: true, detail: `ends with "${DUMP_COMPLETE_MARKER}"` }
            : { name: 'marker', ok: false, detail: `does not end with "${DUMP_COMPLETE_MARKER}"` },
        );
        const back = await (readBack ?? hashFile(partial.path, signal));
        checks.push(
          back.sha256 === gz.sha256 && back.size === gz.bytesWritten
            ? { name: 'sha256', ok: true, detail: 'read back from disk, matches what was written' }
            : {
                name: 'sha256',
                ok: false,
                detail: `read back ${back.size} bytes with another checksum than the ${gz.bytesWritten} written`,
              },
        );
      } else {
        checks.push({ name: 'sha256', ok: true, detail: 'computed from the file pg_dump wrote' });
        checks.push(...(await (listing ?? checkCustom(partial.path, pgRestore, false, signal))));
      }
      verification = checks;
      const bad = checks.find((c) => !c.ok);
      if (bad) throw new BackupError('verify_failed', `verification failed: ${bad.name}: ${bad.detail}`);
      return checks.map((c) => c.name).join(', ') + ' ok';
    },

    async publish(): Promise<BackupRecord> {
      meter.enter('publish');
      if (!done || !partial || verification.length === 0)
        throw new BackupError('verify_failed', 'refusing to publish an unverified backup');
      await partial.handle.close().catch(() => undefined);
      const finalPath = await publish(partial.path, nameFor);
      published = true;
      const verified = verifyResult(verification);
      const meta: Sidecar = {
        version: 1,
        file: path.basename(finalPath),
        kind: opts.kind,
        format: opts.format,
        source: {
          type: 'postgres',
          name: source.name,
          host: opts.target.host,
          port: opts.target.port,
          user: opts.target.user,
        },
        startedAt: start().toISOString(),
        finishedAt: new Date().toISOString(),
        size: done.size,
        sha256: done.sha256,
        ...(done.gz ? { uncompressedSize: done.bytesIn } : {}),
        tool: await toolVersion(pgDump),
        serverVersion: session?.serverVersion,
        databaseSize: session?.databaseSize,
        rowCounts: done.counts,
        rowCountMethod: done.method,
        host: os.hostname(),
        // One result for both: two calls could stamp different milliseconds, and a lastVerify
        // whose time differs from verify's reads as a later re-verification.
        verify: verified,
        lastVerify: verified,
      };
      await writeSidecarOrRetract(finalPath, meta);
      meter.flush();
      return { path: finalPath, meta };
    },

    async discard() {
      tool?.kill();
      if (tool) await tool.exited;
      await session?.close();
      if (partial && !published) {
        await partial.handle.close().catch(() => undefined);
        await removeQuietly(partial.path);
      }
    },
  };
  return job;
}

/** What this version writes (sidecars of earlier ones may also say "dump-copy-tag"). */
type CountMethod = Exclude<RowCountMethod, 'dump-copy-tag'>;

const COUNTED_BY: Record<CountMethod, string> = {
  'dump-stream': 'rows of the dump stream',
  'exported-snapshot': "count(*) in the dump's snapshot",
  'separate-transaction': 'count(*) in a separate transaction',
};

/**
 * The row counts of a plain dump from its stream (`seen`: the COPY blocks): for every table of the
 * snapshot, its count there; count(*) in the still-open transaction for any table the stream did
 * not account for (no COPY, a name we could not match, a table seen twice). Tables only the dump
 * names are left out, as count(*) would never have listed them.
 */
async function streamCounts(
  seen: CopyCounts,
  tables: SnapshotTable[],
  s: PgSession,
  signal: AbortSignal,
  snapshot: boolean,
): Promise<{ counts: Record<string, number>; method: CountMethod }> {
  const counts: Record<string, number> = {};
  const missing: string[] = [];
  for (const t of tables) {
    const k = tableKey(t.schema, t.table);
    const n = seen.counts.get(k);
    if (n === undefined || seen.duplicates.has(k)) missing.push(t.key);
    else counts[t.key] = n;
  }
  if (missing.length > 0) Object.assign(counts, await s.countRows(signal, missing));
  // Without an exported snapshot, count(*) ran in another transaction than pg_dump's: say so.
  if (missing.length > 0 && !snapshot) return { counts, method: 'separate-transaction' };
  // Nothing came from the stream itself: all count(*).
  if (missing.length > 0 && missing.length === tables.length) return { counts, method: 'exported-snapshot' };
  return { counts, method: 'dump-stream' };
}

/**
 * Reports the size of the file pg_dump is writing until it exits, and meanwhile flushes what it
 * has written so far (fdatasync, one at a time, never awaited here), so the fsync after pg_dump
 * exits — the one that counts — has only the last moments' writes left to flush.
 */
async function pollSize(file: string, handle: FileHandle, tool: Tool, meter: ProgressMeter): Promise<void> {
  let exited = false;
  let flushing = false;
  void tool.exited.then(() => (exited = true));
  while (!exited) {
    await Promise.race([tool.exited, new Promise((r) => setTimeout(r, 250))]);
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    meter.update(size, size);
    if (!exited && !flushing) {
      flushing = true;
      void handle.datasync().then(
        () => (flushing = false),
        () => (flushing = false),
      );
    }
  }
}
