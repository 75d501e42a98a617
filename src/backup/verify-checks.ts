// The individual checks behind "verified": reading a backup file back from disk and proving it is
// whole. Each returns VerifyCheck rows instead of throwing, so a report can list every result.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { describeExit, spawnTool } from './child.js';
import type { VerifyCheck } from './types.js';

/** pg_dump writes this as the last comment of a complete plain dump (full and --data-only). */
export const DUMP_COMPLETE_MARKER = '-- PostgreSQL database dump complete';

/** True when the uncompressed tail of a plain dump carries the completion marker. */
export function hasCompletionMarker(tail: Buffer): boolean {
  return tail.toString('latin1').includes(DUMP_COMPLETE_MARKER);
}

function hashTap(hash: ReturnType<typeof createHash>, count: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      count.n += chunk.length;
      cb(null, chunk);
    },
  });
}

/** The checksum row: matches the recorded one, differs, or nothing was recorded. */
export function shaCheck(actual: string, expected: string | undefined): VerifyCheck {
  if (expected === undefined)
    return { name: 'sha256', ok: true, detail: `${actual} (no recorded checksum to compare)` };
  return actual === expected
    ? { name: 'sha256', ok: true, detail: 'matches the recorded checksum' }
    : {
        name: 'sha256',
        ok: false,
        detail:
          `is ${actual.slice(0, 12)}…, recorded ${expected.slice(0, 12)}… ` + '(the file changed since it was written)',
      };
}

/**
 * sha256 and size of a file, read from disk: plain positional reads into one 4 MiB buffer (a
 * stream pipeline costs a few milliseconds more, and on the backup's critical path they count).
 */
export async function hashFile(file: string, signal: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    let size = 0;
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buf, 0, buf.length, size);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/** One pass over a .sql.gz: checksum, full decompression (gzip CRC) and the completion marker. */
export async function checkPlainGz(
  file: string,
  expectedSha: string | undefined,
  signal: AbortSignal,
  onInflated?: (chunk: Buffer) => void,
): Promise<VerifyCheck[]> {
  const hash = createHash('sha256');
  const count = { n: 0 };
  let tail: Buffer = Buffer.alloc(0);
  let inflated = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      inflated += chunk.length;
      onInflated?.(chunk);
      tail = chunk.length >= 1024 ? chunk.subarray(chunk.length - 1024) : Buffer.concat([tail, chunk]).subarray(-1024);
      cb();
    },
  });
  let gzipError: string | undefined;
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1024 * 1024 }),
      hashTap(hash, count),
      createGunzip({ chunkSize: 256 * 1024 }),
      sink,
      { signal },
    );
  } catch (err) {
    if (signal.aborted) throw err;
    gzipError = (err as Error).message;
  }
  const checks: VerifyCheck[] = [];
  if (gzipError !== undefined) {
    checks.push({ name: 'gzip', ok: false, detail: `does not decompress: ${gzipError}` });
    // The hash only covers what was read before the failure; finish it so the report can say whether the file changed.
    checks.push(shaCheck((await hashFile(file, signal)).sha256, expectedSha));
    return checks;
  }
  checks.push(shaCheck(hash.digest('hex'), expectedSha));
  checks.push({ name: 'gzip', ok: true, detail: `decompresses completely (${inflated} bytes, CRC ok)` });
  checks.push(
    hasCompletionMarker(tail)
      ? { name: 'marker', ok: true, detail: `ends with "${DUMP_COMPLETE_MARKER}"` }
      : {
          name: 'marker',
          ok: false,
          detail: `the dump does not end with "${DUMP_COMPLETE_MARKER}" (pg_dump did not finish)`,
        },
  );
  return checks;
}

/** `pg_restore --list` (the archive's table of contents reads), and with `deep` a full read of every data block. */
export async function checkCustom(
  file: string,
  pgRestore: string,
  deep: boolean,
  signal: AbortSignal,
): Promise<VerifyCheck[]> {
  const run = async (args: string[]): Promise<{ ok: boolean; detail: string }> => {
    const tool = spawnTool(pgRestore, args, { ...process.env, LC_ALL: 'C' }, 'ignore');
    const onAbort = (): void => tool.kill();
    signal.addEventListener('abort', onAbort, { once: true });
    const exit = await tool.exited;
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) throw new Error('verification cancelled');
    return exit.code === 0
      ? { ok: true, detail: '' }
      : { ok: false, detail: describeExit('pg_restore', exit, tool.stderrTail()) };
  };
  const list = await run(['--list', '--file=/dev/null', file]);
  const checks: VerifyCheck[] = [
    {
      name: 'pg_restore',
      ok: list.ok,
      detail: list.ok ? '`pg_restore --list` reads the table of contents' : list.detail,
    },
  ];
  if (list.ok && deep) {
    const all = await run(['--file=/dev/null', file]);
    checks.push({
      name: 'pg_restore',
      ok: all.ok,
      detail: all.ok ? 'every data block reads back (pg_restore to /dev/null)' : all.detail,
    });
  }
  return checks;
}

/** One archive entry as written or read: path, type and size. */
export interface TarEntry {
  path: string;
  type: string;
  size: number;
}

/** Lists a .tar.gz from disk (full decompression) and hashes it in the same pass. */
export async function listTarGz(
  file: string,
  signal: AbortSignal,
): Promise<{ entries: TarEntry[]; sha256: string; error?: string }> {
  const hash = createHash('sha256');
  const entries: TarEntry[] = [];
  let error: string | undefined;
  const parser = tar.t({
    strict: true,
    onReadEntry: (e) => {
      entries.push({ path: e.path, type: e.type, size: e.size ?? 0 });
      e.resume();
    },
  });
  try {
    await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), hashTap(hash, { n: 0 }), parser, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    error = (err as Error).message;
  }
  return { entries, sha256: hash.digest('hex'), ...(error !== undefined ? { error } : {}) };
}

/** Compares entries read back with those written (or only counts them when `expected` is a number). */
export function compareTarEntries(read: TarEntry[], expected: TarEntry[] | number): VerifyCheck {
  if (typeof expected === 'number') {
    return read.length === expected
      ? { name: 'tar', ok: true, detail: `${read.length} entries read back` }
      : { name: 'tar', ok: false, detail: `${read.length} entries read back, ${expected} recorded` };
  }
  const key = (e: TarEntry): string => `${e.type}\0${e.path}\0${e.type === 'File' ? e.size : 0}`;
  const have = new Set(read.map(key));
  const missing = expected.filter((e) => !have.has(key(e)));
  if (missing.length === 0 && read.length === expected.length)
    return { name: 'tar', ok: true, detail: `all ${read.length} entries read back as written` };
  const first = missing[0];
  const firstText = first ? `; first missing or different: ${first.path}` : '';
  return {
    name: 'tar',
    ok: false,
    detail: `${read.length} entries read back, ${expected.length} written${firstText}`,
  };
}
