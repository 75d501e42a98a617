// Errors per minute (and per hour, as the manual counts them) over a sliding window of buckets,
// so the counter costs O(1) per line and a fixed amount of memory however fast lines come.

/** Counts events in a sliding window made of fixed buckets. */
export class RateCounter {
  private readonly counts: number[];
  private readonly stamps: number[];
  total = 0;

  constructor(
    private readonly windowMs = 60_000,
    private readonly bucketMs = 1000,
  ) {
    const n = Math.ceil(windowMs / bucketMs);
    this.counts = new Array<number>(n).fill(0);
    this.stamps = new Array<number>(n).fill(-1);
  }

  /** Records `n` events at time `at` (ms). */
  add(at: number, n = 1): void {
    const b = Math.floor(at / this.bucketMs);
    const i = b % this.counts.length;
    if (this.stamps[i] !== b) {
      this.stamps[i] = b;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
    this.total += n;
  }

  /** Events in the window ending at `now`. */
  count(now: number): number {
    const newest = Math.floor(now / this.bucketMs);
    const oldest = newest - this.counts.length + 1;
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const s = this.stamps[i]!;
      if (s >= oldest && s <= newest) sum += this.counts[i]!;
    }
    return sum;
  }

  get window(): number {
    return this.windowMs;
  }
}
