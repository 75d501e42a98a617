// Batches incoming items into frames: a source that writes a million lines a second produces at
// most one flush every `intervalMs`, so the UI renders frames, not lines.

export interface BatcherOptions {
  /** Minimum time between two flushes (default 75 ms). */
  intervalMs?: number;
  /**
   * Keep at most this many items per frame; older ones are counted as dropped (they would not
   * survive the buffer anyway).
   */
  maxItems?: number;
  now?: () => number;
}

/** Collects items and hands them over in frames, at most one frame per interval. */
export class FrameBatcher<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private readonly intervalMs: number;
  private readonly maxItems: number;
  private readonly now: () => number;
  private stopped = false;
  /** Items dropped because a single frame held more than maxItems. */
  dropped = 0;

  constructor(
    private readonly flush: (items: T[], droppedInFrame: number) => void,
    opts: BatcherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 75;
    this.maxItems = opts.maxItems ?? Infinity;
    this.now = opts.now ?? Date.now;
  }

  /** Queues items for the next frame. */
  push(items: readonly T[]): void {
    if (this.stopped || items.length === 0) return;
    for (const it of items) this.pending.push(it);
    if (this.pending.length > this.maxItems * 2) this.trim();
    this.schedule();
  }

  /** Flushes now, whatever the interval. */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.trim();
    const dropped = this.frameDropped;
    this.frameDropped = 0;
    if (this.pending.length === 0 && dropped === 0) return;
    const items = this.pending;
    this.pending = [];
    this.lastFlush = this.now();
    this.flush(items, dropped);
  }

  /** Flushes what is pending and accepts nothing more. */
  stop(): void {
    this.flushNow();
    this.stopped = true;
  }

  private frameDropped = 0;

  private trim(): void {
    if (this.pending.length > this.maxItems) {
      const n = this.pending.length - this.maxItems;
      this.pending = this.pending.slice(n);
      this.dropped += n;
      this.frameDropped += n;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushNow();
    }, wait);
  }
}
