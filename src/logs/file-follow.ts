// Following a log file the way `tail -F` does, by polling stat: survives rotation by rename (the
// old files are drained to their end — and kept draining while the writer still has them open —
// before the new one, strictly in file order however many rotations happened while we were behind)
// and by copy-truncate (detected by size or by the bytes before our offset changing; what we had
// not read yet is taken from the copy when it can be found).
import { stat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readRestFromCopy } from './copy-recovery.js';
import { LineSplitter } from './line-splitter.js';
import type { LogStream, SourceSink } from './types.js';

export interface FileFollowOptions {
  /** Poll interval (default 200 ms). */
  pollMs?: number;
  /** Lines of existing content to show first (default 100; 0 = only new lines). */
  initialLines?: number;
  /** Bytes of the file's end searched for those lines (default 1 MiB). */
  backlogBytes?: number;
  /** Bytes read per poll before yielding to the event loop and polling again at once (default 4 MiB). */
  budgetBytes?: number;
  /**
   * A rotated-away file is closed once it is read to its end, has been quiet this long and the file
   * after it has data (default 1 s), or after 60 s quiet regardless.
   */
  drainQuietMs?: number;
}

interface Tracked {
  fh: FileHandle;
  ino: number;
  dev: number;
  pos: number;
  /** The last bytes read before `pos`: if they change, the file was truncated and rewritten. */
  fp: Buffer;
  splitter: LineSplitter;
  /** When we last read data from it (or opened it). */
  lastDataAt: number;
}

const FP_BYTES = 64;
const CHUNK = 256 * 1024;
/** Rotated-away files kept open at most; beyond that the oldest is given up, and said so. */
const MAX_DRAINING = 64;

/** Follows `file` and reports its lines to `sink` until stop(). */
export function followFile(file: string, sink: SourceSink, opts: FileFollowOptions = {}): LogStream {
  const f = new FileFollower(file, sink, opts);
  const done = f.run();
  return {
    stop: async () => {
      f.stop();
      await done;
    },
  };
}

class FileFollower {
  private current: Tracked | null = null;
  /** Rotated-away files still open, oldest first; all of them come before `current`. */
  private draining: Tracked[] = [];
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly buf = Buffer.alloc(CHUNK);
  private readonly pollMs: number;
  private readonly budget: number;
  private readonly drainQuietMs: number;
  private missingSaid = false;
  private errorSaid = '';

  constructor(
    private readonly file: string,
    private readonly sink: SourceSink,
    private readonly opts: FileFollowOptions,
  ) {
    this.pollMs = opts.pollMs ?? 200;
    this.budget = opts.budgetBytes ?? 4 * 1024 * 1024;
    this.drainQuietMs = opts.drainQuietMs ?? 1000;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    let first = true;
    try {
      while (!this.stopped) {
        let busy = false;
        try {
          busy = await this.tick(first);
          first = false;
          this.errorSaid = '';
        } catch (err) {
          const msg = `cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
          if (msg !== this.errorSaid) this.sink.status(msg);
          this.errorSaid = msg;
        }
        if (!busy) await this.sleep(this.pollMs);
        else await new Promise((r) => setImmediate(r));
      }
    } finally {
      for (const t of [...this.draining, ...(this.current ? [this.current] : [])])
        await t.fh.close().catch(() => undefined);
      this.draining = [];
      this.current = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * One poll; true when the read budget ran out (more is waiting).
   *
   * Lines go out strictly in file order: the rotated-away files oldest first, then the current one.
   * The writer moves from an old file to the next one, never back, so once the next file has data,
   * everything it wrote to the old one before is on disk. Hence the sizes are taken newest first,
   * then the files are read oldest first, each later one only up to the size it had before its
   * predecessor was read to the end: whatever it holds beyond that may have been written after
   * lines the predecessor has not shown us yet, and waits for the next tick. A file is only read
   * once the files before it are read to their end, however many ticks that takes.
   */
  private async tick(first: boolean): Promise<boolean> {
    await this.checkPath(first);
    const chain = [...this.draining, ...(this.current ? [this.current] : [])];
    const limits: number[] = new Array<number>(chain.length).fill(Infinity);
    for (let i = chain.length - 1; i >= 1; i--) limits[i] = (await chain[i]!.fh.stat()).size;
    let left = this.budget;
    let more = false;
    let headAtEnd = false;
    for (let i = 0; i < chain.length; i++) {
      const t = chain[i]!;
      const limit = limits[i]!;
      if (t === this.current) await this.checkTruncation(t);
      if (i > 0 && limit > t.pos) {
        // The writer has moved on to this file: the one before it is complete, its last line too.
        chain[i - 1]!.splitter.flush();
        this.emit();
      }
      const r = await this.readAvailable(t, left, limit);
      left -= r.bytes;
      if (i === 0) headAtEnd = r.atEnd;
      // Read to its end, or to all it may show for now: on to the next file. Else the budget ran out.
      if (r.atEnd || t.pos >= limit) continue;
      more = true;
      break;
    }
    if (headAtEnd && chain.length > 1) await this.retireHead(limits[1]! > 0 || chain[1]!.pos > 0);
    return more;
  }

  private async checkPath(first: boolean): Promise<void> {
    let st;
    try {
      st = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!this.missingSaid)
        this.sink.status(
          this.current ? `${this.file} was moved away; waiting for the new file` : `waiting for ${this.file} to appear`,
        );
      this.missingSaid = true;
      return;
    }
    this.missingSaid = false;
    const cur = this.current;
    if (cur && cur.ino === st.ino && cur.dev === st.dev) return;
    const next = await this.openTracked();
    if (!next) return;
    if (cur) {
      // Rotation by rename: keep the old handle draining; the writer may not have reopened yet, and
      // we may not have read it all yet (nor the ones rotated away before it).
      this.draining.push(cur);
      if (this.draining.length > MAX_DRAINING) {
        const gone = this.draining.shift()!;
        const size = (await gone.fh.stat().catch(() => null))?.size ?? gone.pos;
        await this.close(gone);
        if (size > gone.pos) {
          const behind = `${this.file} was rotated more than ${MAX_DRAINING} times while we were behind`;
          this.sink.status(`${behind}; skipped ${size - gone.pos} unread bytes of the oldest copy`);
        }
      }
      this.sink.status(`${this.file} was rotated; following the new file`);
    } else if (first) {
      await this.seekBacklog(next);
      this.sink.status(`following ${this.file}`);
    } else {
      this.sink.status(`${this.file} appeared; following it`);
    }
    this.current = next;
  }

  private async openTracked(): Promise<Tracked | null> {
    let fh: FileHandle;
    try {
      fh = await open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const st = await fh.stat();
    const t: Tracked = {
      fh,
      ino: st.ino,
      dev: st.dev,
      pos: 0,
      fp: Buffer.alloc(0),
      splitter: null as unknown as LineSplitter,
      lastDataAt: Date.now(),
    };
    t.splitter = new LineSplitter((line) => this.collected.push(line));
    return t;
  }

  private collected: string[] = [];

  private emit(): void {
    if (this.collected.length === 0) return;
    const lines = this.collected;
    this.collected = [];
    this.sink.lines(lines);
  }

  /** Starts `t` at the beginning of its last `initialLines` lines. */
  private async seekBacklog(t: Tracked): Promise<void> {
    const size = (await t.fh.stat()).size;
    const want = this.opts.initialLines ?? 100;
    if (want <= 0 || size === 0) {
      t.pos = size;
      await this.refreshFingerprint(t);
      return;
    }
    const len = Math.min(size, this.opts.backlogBytes ?? 1024 * 1024);
    const tail = Buffer.alloc(len);
    await t.fh.read(tail, 0, len, size - len);
    // Count newlines from the end, ignoring the final one, to find where the last `want` lines start.
    let i = tail[len - 1] === 10 ? len - 2 : len - 1;
    let seen = 0;
    for (; i >= 0; i--) if (tail[i] === 10 && ++seen === want) break;
    t.pos = i < 0 ? (len === size ? 0 : size - len + (tail.indexOf(10) + 1)) : size - len + i + 1;
    await this.refreshFingerprint(t);
  }

  private async refreshFingerprint(t: Tracked): Promise<void> {
    const n = Math.min(FP_BYTES, t.pos);
    const fp = Buffer.alloc(n);
    if (n > 0) await t.fh.read(fp, 0, n, t.pos - n);
    t.fp = fp;
  }

  private async checkTruncation(t: Tracked): Promise<void> {
    const size = (await t.fh.stat()).size;
    let truncated = size < t.pos;
    if (!truncated && size > t.pos && t.fp.length > 0) {
      // Truncated and rewritten past our offset between two polls: the bytes before pos differ.
      const probe = Buffer.alloc(t.fp.length);
      const { bytesRead } = await t.fh.read(probe, 0, t.fp.length, t.pos - t.fp.length);
      truncated = bytesRead !== t.fp.length || !probe.equals(t.fp);
    }
    if (!truncated) return;
    const recovered = await this.recoverFromCopy(t);
    t.splitter.flush();
    this.emit();
    t.pos = 0;
    t.fp = Buffer.alloc(0);
    const takenFrom = recovered ? ` (unread lines taken from ${path.basename(recovered)})` : '';
    this.sink.status(`${this.file} was truncated${takenFrom}; reading from the start`);
  }

  /** Copy-truncate: what we had not read yet is only in the copy now. */
  private recoverFromCopy(t: Tracked): Promise<string | null> {
    return readRestFromCopy(this.file, t.pos, t.fp, (chunk) => {
      t.splitter.push(chunk);
      this.emit();
    });
  }

  /**
   * Reads `t` from its offset up to `limit` (a size), at most `budget` bytes, emitting its complete
   * lines. `atEnd` tells whether it stopped at the file's real end (nothing more to read now).
   */
  private async readAvailable(t: Tracked, budget: number, limit: number): Promise<{ bytes: number; atEnd: boolean }> {
    let total = 0;
    for (;;) {
      const want = Math.min(CHUNK, budget - total, limit - t.pos);
      if (want <= 0) return { bytes: total, atEnd: false };
      const { bytesRead } = await t.fh.read(this.buf, 0, want, t.pos);
      if (bytesRead === 0) return { bytes: total, atEnd: true };
      const chunk = this.buf.subarray(0, bytesRead);
      t.pos += bytesRead;
      t.fp =
        bytesRead >= FP_BYTES
          ? Buffer.from(chunk.subarray(bytesRead - FP_BYTES))
          : Buffer.concat([t.fp, chunk]).subarray(-FP_BYTES);
      t.lastDataAt = Date.now();
      t.splitter.push(chunk);
      this.emit();
      total += bytesRead;
    }
  }

  /**
   * Closes the oldest rotated-away file once it has been read to its end and stayed quiet a while
   * (another writer may still append to it). Only the oldest: the ones after it are read (and so
   * known to be quiet) only once it is done.
   */
  private async retireHead(nextHasData: boolean): Promise<void> {
    const head = this.draining[0];
    if (!head) return;
    const quiet = Date.now() - head.lastDataAt;
    if ((nextHasData && quiet >= this.drainQuietMs) || quiet >= 60_000) {
      this.draining.shift();
      await this.close(head);
    }
  }

  private async close(t: Tracked): Promise<void> {
    // A last line without its newline will not be finished in a file nobody writes to any more.
    t.splitter.flush();
    this.emit();
    await t.fh.close().catch(() => undefined);
  }
}
