// Row counts of a custom-format dump from the server's own COPY command tags. pg_dump -Fc compresses
// its output itself, so its rows cannot be counted in passing the way a plain dump's are
// (copy-count.ts); a count(*) of every table beside the dump scans all the data a second time
// (≈ 135 ms of backend CPU for 2 M rows on this machine, ≈ 3 % of the backup's wall time on
// 2 cores). Instead pg_dump runs with native/copy-tags.c preloaded (LD_PRELOAD), which passes
// libpq's calls through untouched and, each time a `COPY <table> (…) TO stdout;` ends, writes the
// server's "COPY n" tag and the query to a pipe we hand it as fd 3: the exact number of rows the
// server sent into the dump, in the dump's own snapshot, at no extra cost.
//
// Everything degrades to count(*): no library built (no C compiler at build time), a path
// LD_PRELOAD cannot carry, a library that does not load (the `hello` record never comes), a table
// whose tag is missing or whose COPY had a filter — those tables get count(*) in the still-open
// snapshot after pg_dump exits. No ink, no react, no I/O beyond locating the library.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCopyHeader, tableKey, type CopyCounts } from './copy-count.js';

/** File name of the built library (scripts/build.mjs → dist/native/). */
export const COPY_TAGS_LIBRARY = 'copy-tags.so';
/** The fd pg_dump gets the pipe on (stdin, stdout, stderr, then this). */
export const COPY_TAGS_FD = 3;
/** First record the library writes once loaded. */
const HELLO = 'opsdeck-copy-tags/1';

/**
 * The built library: dist/native/copy-tags.so, looked up from this module's own location (in the
 * bundle: dist/ or dist/chunks/; from source: src/backup/ → <repo>/dist/native/). Undefined when it
 * was not built, or when its path holds a character LD_PRELOAD would split on (space, colon) or
 * is not absolute.
 */
export function findCopyTagsLibrary(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    for (const candidate of [path.join(dir, 'native', COPY_TAGS_LIBRARY), path.join(dir, 'dist', 'native', COPY_TAGS_LIBRARY)]) {
      if (existsSync(candidate)) return usableInPreload(candidate) ? candidate : undefined;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** LD_PRELOAD separates entries by spaces and colons, and a relative entry would depend on pg_dump's cwd. */
export function usableInPreload(lib: string): boolean {
  return path.isAbsolute(lib) && !/[\s:]/.test(lib);
}

/** pg_dump's environment with the library preloaded (before any LD_PRELOAD already there) and told where to write. */
export function withCopyTags(env: NodeJS.ProcessEnv, lib: string): NodeJS.ProcessEnv {
  const existing = env.LD_PRELOAD?.trim();
  return { ...env, LD_PRELOAD: existing ? `${lib} ${existing}` : lib, OPSDECK_COPY_TAGS_FD: String(COPY_TAGS_FD) };
}

export interface CopyTags extends CopyCounts {
  /** The library announced itself: it was loaded into pg_dump. */
  loaded: boolean;
}

/** Collects what the library writes (any chunking) and reads it once pg_dump has exited. */
export class CopyTagReader {
  private readonly chunks: Buffer[] = [];

  push(buf: Buffer): void {
    this.chunks.push(buf);
  }

  /**
   * Counts keyed like CopyRowCounter's (tableKey of the raw names). A record for a table seen twice
   * puts it in `duplicates`; a COPY whose table cannot be read (a filtered `COPY (SELECT …)`) counts
   * in `unreadable`; a record cut short (pg_dump killed mid-write) is dropped.
   */
  result(): CopyTags {
    const records = Buffer.concat(this.chunks).toString('utf8').split('\0');
    records.pop(); // after the last NUL: empty, or a record cut short
    const out: CopyTags = { counts: new Map(), duplicates: new Set(), unreadable: 0, truncated: false, loaded: false };
    for (const [i, rec] of records.entries()) {
      if (i === 0 && rec === HELLO) {
        out.loaded = true;
        continue;
      }
      const tab = rec.indexOf('\t');
      const n = tab > 0 ? rec.slice(0, tab) : '';
      const table = /^\d{1,15}$/.test(n) ? parseCopyHeader(rec.slice(tab + 1), ' TO stdout;') : undefined;
      if (!table) {
        out.unreadable++;
        continue;
      }
      const key = tableKey(table.schema, table.table);
      if (out.counts.has(key)) out.duplicates.add(key);
      else out.counts.set(key, Number(n));
    }
    return out;
  }
}
