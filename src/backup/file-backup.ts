// A file-set backup job: the configured directories and files as one tar.gz (node-tar, paths
// stored relative to / so `tar -xzf … -C /` puts them back), through the same in-process gzip
// write path as the dumps, verified by reading the archive back and comparing every entry with
// what was written — the second manual's `tar -tzf` check, made exact.
import type { FileHandle } from 'node:fs/promises';
import { lstat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import tarPkg from 'tar/package.json' with { type: 'json' };
import { createPartial, ensureDir, publish, removeQuietly } from './atomic.js';
import { scanCatalog } from './catalog.js';
import { streamGzip, type GzipOutcome } from './gzip-stream.js';
import { asBackupError, type BackupJob, type BackupRecord, type JobOptions } from './job.js';
import { backupFileName, partialPath, sourceDir } from './naming.js';
import { ensureSpace, estimateSize } from './preflight.js';
import { ProgressMeter } from './progress.js';
import { writeSidecarOrRetract, type Sidecar } from './sidecar.js';
import { BackupError, verifyResult, type BackupSource, type VerifyCheck } from './types.js';
import { compareTarEntries, listTarGz, type TarEntry } from './verify-checks.js';
import { bytes as formatBytes } from '../present/format.js';

export interface FileBackupOptions extends JobOptions {
  /** The file set's name (config backups.files[].name). */
  name: string;
  /** Files and directories to archive; relative paths are taken from the working directory. */
  paths: string[];
}

/** Size tar will produce for these paths: 512-byte header per entry plus contents padded to 512. */
async function tarSize(paths: string[], signal: AbortSignal): Promise<number> {
  let total = 1024; // end-of-archive blocks
  const walk = async (p: string): Promise<void> => {
    if (signal.aborted) throw new BackupError('cancelled', 'cancelled');
    const st = await lstat(p);
    total += 512 + (st.isFile() ? Math.ceil(st.size / 512) * 512 : 0);
    if (st.isDirectory()) for (const name of await readdir(p)) await walk(path.join(p, name));
  };
  for (const p of paths) await walk(p);
  return total;
}

/** Prepares (does not start) a tar.gz backup of one file set. */
export function fileBackupJob(opts: FileBackupOptions): BackupJob {
  const source: BackupSource = { type: 'files', name: opts.name };
  const dir = sourceDir(opts.root, source);
  // The name and startedAt come from when the work starts, not when the job was prepared (a plan may wait for a
  // confirmation).
  const clock = opts.now ?? (() => new Date());
  let at: Date | undefined;
  const start = (): Date => (at ??= clock());
  const nameFor = (n: number): string => backupFileName(source, 'files', 'tar', at ?? clock(), n);
  const absolute = opts.paths.map((p) => path.resolve(p));
  const meter = new ProgressMeter(opts.onProgress);
  let partial: { path: string; handle: FileHandle } | undefined;
  let done: { gz: GzipOutcome; written: TarEntry[]; size: number } | undefined;
  let verification: VerifyCheck[] = [];
  let published = false;

  const checkPaths = async (): Promise<void> => {
    for (const p of absolute) {
      await lstat(p).catch((err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'no such file or directory' : (err.code ?? err.message);
        throw new BackupError('source', `file set ${opts.name}: cannot read ${p} (${why})`);
      });
    }
  };

  return {
    source,
    kind: 'files',
    format: 'tar',
    dir,
    describeDump: () => {
      const members = absolute.map((p) => path.relative('/', p) || '.').join(' ');
      return `tar -czf ${partialPath(path.join(dir, nameFor(1)))} -C / ${members} (node-tar, in-process)`;
    },

    async preflight(signal) {
      meter.enter('preflight');
      start();
      await checkPaths();
      await ensureDir(dir);
      const bytes = await tarSize(absolute, signal).catch((err: unknown) => {
        throw asBackupError(err, signal, `file set ${opts.name}`);
      });
      const need = estimateSize(bytes, 'files', 'tar', (await scanCatalog(opts.root, source)).entries);
      const { free } = await ensureSpace(dir, need, `the backup of file set ${opts.name}`);
      return `needs about ${formatBytes(need.bytes)}, ${formatBytes(free)} free`;
    },

    async dump(signal) {
      meter.enter('dump');
      start();
      await checkPaths();
      await ensureDir(dir);
      partial = await createPartial(path.join(dir, nameFor(1)));
      const written: TarEntry[] = [];
      // strict: an unreadable file or one that shrinks while read fails the backup instead of a warning nobody sees.
      const pack = tar.c(
        {
          cwd: '/',
          strict: true,
          onWriteEntry: (e) => {
            written.push({
              path: e.path,
              type: e.type ?? 'Unsupported',
              size: e.type === 'File' ? (e.stat?.size ?? 0) : 0,
            });
          },
        },
        absolute.map((p) => path.relative('/', p) || '.'),
      );
      try {
        const gz = await streamGzip(pack, partial.handle, signal, (i, w) => meter.update(i, w));
        await partial.handle.sync();
        done = { gz, written, size: (await partial.handle.stat()).size };
        return `${written.length} entries, ${formatBytes(gz.bytesIn)} archived, ${formatBytes(done.size)} compressed`;
      } catch (err) {
        throw asBackupError(err, signal, `archiving file set ${opts.name}`);
      }
    },

    async verify(signal) {
      meter.enter('verify');
      if (!done || !partial) throw new BackupError('verify_failed', 'nothing to verify: the archive was not written');
      const back = await listTarGz(partial.path, signal);
      const checks: VerifyCheck[] = [
        back.error === undefined
          ? { name: 'gzip', ok: true, detail: 'decompresses completely' }
          : { name: 'gzip', ok: false, detail: `does not read back: ${back.error}` },
        compareTarEntries(back.entries, done.written),
        back.sha256 === done.gz.sha256
          ? { name: 'sha256', ok: true, detail: 'read back from disk, matches what was written' }
          : { name: 'sha256', ok: false, detail: 'the file on disk differs from what was written' },
      ];
      verification = checks;
      const bad = checks.find((c) => !c.ok);
      if (bad) throw new BackupError('verify_failed', `verification failed: ${bad.name}: ${bad.detail}`);
      return `${back.entries.length} entries read back, checksum ok`;
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
        kind: 'files',
        format: 'tar',
        source: { type: 'files', name: opts.name, paths: absolute },
        startedAt: start().toISOString(),
        finishedAt: new Date().toISOString(),
        size: done.size,
        sha256: done.gz.sha256,
        uncompressedSize: done.gz.bytesIn,
        tool: `node-tar ${tarPkg.version} + zlib ${process.versions.zlib}`,
        entries: done.written.length,
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
      if (partial && !published) {
        await partial.handle.close().catch(() => undefined);
        await removeQuietly(partial.path);
      }
    },
  };
}
