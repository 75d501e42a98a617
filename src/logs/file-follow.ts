// Following a log file the way `tail -F` does, by polling stat: survives rotation by rename (the
// old file is drained to its end — and kept draining while the writer still has it open — before
// and alongside the new one) and by copy-truncate (detected by size or by the bytes before our
// offset changing; what we had not read yet is taken from the copy when it can be found).
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
  /** Bytes read per poll before yielding to the event loop and polling again at once (default 4 MiB). */
  budgetBytes?: number;
  /** A rotated-away file is closed once it has been quiet this long and the new file has data (default 1 s), or after 60 s quiet regardless. */
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
  lastDataAt: number;
}

const FP_BYTES = 64;
const CHUNK = 256 * 1024;

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
      for (const t of [...this.draining, ...(this.current ? [this.current] : [])]) await t.fh.close().catch(() => undefined);
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

  /** One poll; true when the read budget ran out (more is waiting). */
  private async tick(first: boolean): Promise<boolean> {
    await this.checkPath(first);
    let read = 0;
    const cur = this.current;
    if (cur) await this.checkTruncation(cur);
    if (this.draining.length === 0) {
      if (cur) read += await this.readAvailable(cur, this.budget, false);
    } else {
      // The writer moves from the old file to the new one, never back: once we have read the new
      // file, everything it wrote to the old one before is on disk. So read new (held back), then
      // drain the old ones, then release the new lines — order kept even if it switched meanwhile.
      if (cur) read += await this.readAvailable(cur, this.budget, true);
      const held = this.collected;
      this.collected = [];
      for (const d of this.draining) read += await this.readAvailable(d, this.budget, false);
      if (held.length > 0) this.sink.lines(held);
    }
    this.retireDrained();
    return read >= this.budget;
  }

  private async checkPath(first: boolean): Promise<void> {
    let st;
    try {
      st = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!this.missingSaid) this.sink.status(this.current ? `${this.file} was moved away; waiting for the new file` : `waiting for ${this.file} to appear`);
      this.missingSaid = true;
      return;
    }
    this.missingSaid = false;
    const cur = this.current;
    if (cur && cur.ino === st.ino && cur.dev === st.dev) return;
    const next = await this.openTracked();
    if (!next) return;
    if (cur) {
      // Rotation by rename: keep the old handle draining; the writer may not have reopened yet.
      this.draining.push(cur);
      if (this.draining.length > 3) await this.close(this.draining.shift()!);
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
    const t: Tracked = { fh, ino: st.ino, dev: st.dev, pos: 0, fp: Buffer.alloc(0), splitter: null as unknown as LineSplitter, lastDataAt: Date.now() };
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
    const len = Math.min(size, 1024 * 1024);
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
    this.sink.status(`${this.file} was truncated${recovered ? ` (unread lines taken from ${path.basename(recovered)})` : ''}; reading from the start`);
  }

  /** Copy-truncate: what we had not read yet is only in the copy now. */
  private recoverFromCopy(t: Tracked): Promise<string | null> {
    return readRestFromCopy(this.file, t.pos, t.fp, (chunk) => {
      t.splitter.push(chunk);
      this.emit();
    });
  }

  private async readAvailable(t: Tracked, budget: number, hold: boolean): Promise<number> {
    let total = 0;
    while (total < budget) {
      const { bytesRead } = await t.fh.read(this.buf, 0, CHUNK, t.pos);
      if (bytesRead === 0) break;
      const chunk = this.buf.subarray(0, bytesRead);
      t.pos += bytesRead;
      t.fp = bytesRead >= FP_BYTES ? Buffer.from(chunk.subarray(bytesRead - FP_BYTES)) : Buffer.concat([t.fp, chunk]).subarray(-FP_BYTES);
      t.lastDataAt = Date.now();
      t.splitter.push(chunk);
      if (!hold) this.emit();
      total += bytesRead;
    }
    return total;
  }

  private retireDrained(): void {
    const now = Date.now();
    const newHasData = (this.current?.pos ?? 0) > 0;
    const keep: Tracked[] = [];
    for (const d of this.draining) {
      const quiet = now - d.lastDataAt;
      if ((newHasData && quiet >= this.drainQuietMs) || quiet >= 60_000) void this.close(d);
      else keep.push(d);
    }
    this.draining = keep;
  }

  private async close(t: Tracked): Promise<void> {
    // A last line without its newline will not be finished in a file nobody writes to any more.
    t.splitter.flush();
    this.emit();
    await t.fh.close().catch(() => undefined);
  }
}
