// The bounded line buffer behind the Logs view: a ring of the newest N lines. Pausing freezes what
// the view shows (lines keep arriving and the oldest keep falling out), resuming jumps to the newest.
import type { LogFilter, MatchRange } from './filter.js';
import type { LogLine } from './types.js';

export interface ViewLine extends LogLine {
  /** Where the filter matched, for highlighting. */
  ranges?: MatchRange[];
}

export interface ViewOptions {
  limit: number;
  filter?: LogFilter | null;
  /** Show lines up to this seq (scrolling back); default the pause anchor, else the newest. */
  endSeq?: number;
}

export interface View {
  lines: ViewLine[];
  /** Lines that arrived after what is shown (while paused or scrolled back). */
  newer: number;
}

/** Holds the newest `capacity` lines. */
export class LineBuffer {
  private readonly ring: (LogLine | undefined)[];
  private head = 0; // index of the oldest line
  private count = 0;
  private anchor: number | null = null;
  /** Lines that fell out of the buffer since it was created. */
  dropped = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<LogLine | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Seq of the newest line, or -1 when empty. */
  get newestSeq(): number {
    return this.count === 0 ? -1 : this.ring[(this.head + this.count - 1) % this.capacity]!.seq;
  }

  get oldestSeq(): number {
    return this.count === 0 ? -1 : this.ring[this.head]!.seq;
  }

  get paused(): boolean {
    return this.anchor !== null;
  }

  /** Appends lines (seq must increase); the oldest fall out when full. */
  push(lines: readonly LogLine[]): void {
    // Only the last `capacity` of a huge batch can survive: skip the rest outright.
    const skip = Math.max(0, lines.length - this.capacity);
    this.dropped += skip;
    for (let i = skip; i < lines.length; i++) {
      if (this.count < this.capacity) {
        this.ring[(this.head + this.count) % this.capacity] = lines[i];
        this.count++;
      } else {
        this.ring[this.head] = lines[i];
        this.head = (this.head + 1) % this.capacity;
        this.dropped++;
      }
    }
  }

  /** Line `i` counted from the oldest (0) in the buffer. */
  at(i: number): LogLine | undefined {
    return i < 0 || i >= this.count ? undefined : this.ring[(this.head + i) % this.capacity];
  }

  /** Freezes the view at the current newest line. */
  pause(): void {
    this.anchor ??= this.newestSeq;
  }

  /** Unfreezes the view (and so jumps to the newest line). */
  resume(): void {
    this.anchor = null;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /** The last `limit` lines at or before the anchor that pass the filter, oldest first, with match ranges. */
  view(opts: ViewOptions): View {
    const end = opts.endSeq ?? this.anchor ?? this.newestSeq;
    const out: ViewLine[] = [];
    let newer = 0;
    for (let i = this.count - 1; i >= 0 && out.length < opts.limit; i--) {
      const line = this.ring[(this.head + i) % this.capacity]!;
      if (line.seq > end) {
        if (!opts.filter || opts.filter.test(line.text)) newer++;
        continue;
      }
      if (!opts.filter) out.push(line);
      else if (opts.filter.test(line.text)) out.push({ ...line, ranges: opts.filter.ranges(line.text) });
    }
    return { lines: out.reverse(), newer };
  }
}
