// Log history: a source's file with its rotated and compressed siblings (`x.log`, `x.log.1`,
// `x.log.2.gz`, `x.log-20261204.gz`, … newest first), searched by streaming (a file is never read
// whole; .gz is inflated by zlib as it is read), cancellable, with results handed over as they
// are found; and errors per hour over those files, with the time taken from each line (lines
// without one take the time of the line before).
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { classify } from './classify.js';
import { lineTime } from './timestamps.js';

export interface HistoryFile {
  path: string;
  compressed: boolean;
  size: number;
  mtimeMs: number;
}

const ROTATED = /^(?:\.(\d+)|-(\d{8,10}))(\.gz)?$/;

/** The file and its rotated siblings that exist, newest first. */
export async function rotatedFiles(file: string): Promise<HistoryFile[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new Error(`cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const found: { name: string; order: number }[] = [];
  for (const n of names) {
    if (n === base) found.push({ name: n, order: -Infinity });
    else if (n.startsWith(base)) {
      const m = ROTATED.exec(n.slice(base.length));
      // Numbered: .1 is the newest; dated: the later date is the newer.
      if (m) found.push({ name: n, order: m[1] !== undefined ? Number(m[1]) : 1e12 - Number(m[2]!.padEnd(10, '0')) });
    }
  }
  found.sort((a, b) => a.order - b.order);
  const out: HistoryFile[] = [];
  for (const f of found) {
    const p = path.join(dir, f.name);
    try {
      const st = await stat(p);
      if (st.isFile()) out.push({ path: p, compressed: f.name.endsWith('.gz'), size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // rotated away between readdir and stat
    }
  }
  return out;
}

/** Reads a file (inflating .gz) as chunks of whole lines; `stop()` ends it. */
async function eachChunk(
  f: HistoryFile,
  signal: AbortSignal | undefined,
  onChunk: (buf: Buffer, end: number) => void,
): Promise<number> {
  const raw = createReadStream(f.path, { highWaterMark: 1024 * 1024 });
  const stream = f.compressed ? raw.pipe(createGunzip({ chunkSize: 512 * 1024 })) : raw;
  if (f.compressed) raw.once('error', (e) => stream.destroy(e));
  const abort = (): void => {
    raw.destroy();
    stream.destroy();
  };
  signal?.addEventListener('abort', abort, { once: true });
  let carry: Buffer | null = null;
  let bytes = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) break;
      bytes += c.length;
      const buf: Buffer = carry ? Buffer.concat([carry, c]) : c;
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        carry = buf;
        continue;
      }
      onChunk(buf, last + 1);
      carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : null;
    }
    if (carry && !signal?.aborted) onChunk(Buffer.concat([carry, Buffer.from('\n')]), carry.length + 1);
  } catch (err) {
    if (!signal?.aborted) throw new Error(`cannot read ${f.path}: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', abort);
    abort();
  }
  return bytes;
}

export interface HistoryMatch {
  file: string;
  text: string;
}

export interface SearchOptions {
  signal?: AbortSignal;
  /** Only lines written at or after this time (ms); files last written before it are skipped. */
  since?: number;
  now?: number;
  /** Called with each batch of matches as they are found (in file order, newest file first). */
  onMatches: (matches: HistoryMatch[]) => void;
  /** Called as each file begins. */
  onFile?: (file: HistoryFile) => void;
}

export interface SearchResult {
  files: number;
  bytes: number;
  matches: number;
  cancelled: boolean;
}

/** The time of line `[start, …)` of `text`, or of the nearest line before it that has one. */
function timeAt(text: string, start: number, floor: number | undefined, now: number): number | undefined {
  let s = start;
  for (let hops = 0; hops < 1000; hops++) {
    const end = text.indexOf('\n', s);
    const t = lineTime(text.slice(s, end < 0 ? undefined : end), now);
    if (t !== undefined) return t;
    if (s === 0) return floor;
    s = text.lastIndexOf('\n', s - 2) + 1;
  }
  return floor;
}

/** Searches `files` (newest first) for lines matching `re`; stops early when `signal` aborts. */
export async function searchHistory(
  files: readonly HistoryFile[],
  re: RegExp,
  opts: SearchOptions,
): Promise<SearchResult> {
  // The regex runs over a whole chunk (one scan), multiline so ^ and $ are line bounds; each hit's
  // line is then tested alone, so a match spanning lines never counts.
  const scan = new RegExp(re.source, re.flags.replace(/[gym]/g, '') + 'gm');
  const one = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
  const now = opts.now ?? Date.now();
  const result: SearchResult = { files: 0, bytes: 0, matches: 0, cancelled: false };
  for (const f of files) {
    if (opts.signal?.aborted) break;
    if (opts.since !== undefined && f.mtimeMs < opts.since) break; // this and every older file end before it
    result.files++;
    opts.onFile?.(f);
    let lastTime: number | undefined;
    result.bytes += await eachChunk(f, opts.signal, (buf, end) => {
      const text = buf.toString('utf8', 0, end);
      const out: HistoryMatch[] = [];
      scan.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = scan.exec(text)) !== null) {
        const start = text.lastIndexOf('\n', m.index - 1) + 1;
        let stop = text.indexOf('\n', m.index);
        if (stop < 0) stop = text.length;
        const line = text.slice(start, stop);
        if (one.test(line) && (opts.since === undefined || (timeAt(text, start, lastTime, now) ?? now) >= opts.since))
          out.push({ file: f.path, text: line });
        scan.lastIndex = stop + 1;
        if (stop + 1 >= text.length) break;
      }
      if (opts.since !== undefined) lastTime = timeAt(text, text.lastIndexOf('\n', text.length - 2) + 1, lastTime, now);
      if (out.length > 0) {
        result.matches += out.length;
        opts.onMatches(out);
      }
    });
  }
  result.cancelled = opts.signal?.aborted === true;
  return result;
}

export interface HourCount {
  /** Start of the hour (ms since the epoch). */
  hour: number;
  errors: number;
}

export interface ErrorsPerHour {
  hours: HourCount[];
  /** Error lines with no time of their own or before them in their file. */
  untimed: number;
  files: number;
  bytes: number;
  cancelled: boolean;
}

export interface ErrorsPerHourOptions {
  /** Hours back from the current one (default 24). */
  hours?: number;
  now?: number;
  signal?: AbortSignal;
}

// Every line classify() marks as an error contains one of these (any case): a cheap first pass.
const ERROR_HINT = /err|fatal|crit|panic|emerg|alert|severe|traceback|exception/gi;

/** Errors (lines classify() marks ERROR) per hour over the last `hours` hours of `files`. */
export async function errorsPerHour(
  files: readonly HistoryFile[],
  opts: ErrorsPerHourOptions = {},
): Promise<ErrorsPerHour> {
  const now = opts.now ?? Date.now();
  const span = opts.hours ?? 24;
  const lastHour = Math.floor(now / 3_600_000) * 3_600_000;
  const first = lastHour - (span - 1) * 3_600_000;
  const counts = new Array<number>(span).fill(0);
  const out: ErrorsPerHour = { hours: [], untimed: 0, files: 0, bytes: 0, cancelled: false };
  for (const f of files) {
    if (opts.signal?.aborted) break;
    if (f.mtimeMs < first) break;
    out.files++;
    let lastTime: number | undefined;
    out.bytes += await eachChunk(f, opts.signal, (buf, end) => {
      // latin1: one char per byte, the fastest decode; the patterns are ASCII, so marks are the same.
      const text = buf.toString('latin1', 0, end);
      ERROR_HINT.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = ERROR_HINT.exec(text)) !== null) {
        const start = text.lastIndexOf('\n', m.index - 1) + 1;
        let stop = text.indexOf('\n', m.index);
        if (stop < 0) stop = text.length;
        if (classify(text.slice(start, stop)) === 'error') {
          const t = timeAt(text, start, lastTime, now);
          if (t === undefined) out.untimed++;
          else {
            const i = Math.floor((t - first) / 3_600_000);
            if (i >= 0 && i < span) counts[i]!++;
          }
        }
        ERROR_HINT.lastIndex = stop + 1;
        if (stop + 1 >= text.length) break;
      }
      lastTime = timeAt(text, text.lastIndexOf('\n', text.length - 2) + 1, lastTime, now);
    });
  }
  out.cancelled = opts.signal?.aborted === true;
  out.hours = counts.map((errors, i) => ({ hour: first + i * 3_600_000, errors }));
  return out;
}
