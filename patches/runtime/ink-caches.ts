// Caches for Ink's renderer, wired in by the build (patches/ink-output-caches.mjs, ink-bounded-caches.mjs,
// grapheme-segmenter.mjs).
//
// - Ink's output buffer caches the styled characters and widths of each line it draws, but in a
//   fresh cache per frame, so an idle console re-tokenized every unchanged line every frame.
//   `carryOverCaches` gives each frame's cache the previous frame's entries to fall back on:
//   unchanged lines cost a map lookup; memory stays at two frames' worth.
// - Ink's text measurement keeps every string it ever measured in one Map, for the life of the
//   process: a console whose values change every two seconds grows it forever. `BoundedCache`
//   keeps the recent entries only.
// - Intl.Segmenter is what splits a line into grapheme clusters, and it is slow (and making one
//   costs ≈ 5 ms of start-up); `graphemeSegmenter` splits by UTF-16 code unit instead when every
//   code unit is a cluster of its own (ASCII, controls other than CR, and the characters of
//   string-width-fast's simple set), which gives the same clusters.
// - Ink's wrap cache is bounded the same way.
import { isSimpleCodeUnit } from './string-width-fast.js';

/**
 * A cache of at most two generations of `limit` entries: when the current one is full it becomes
 * the fallback (a swap, nothing copied) and the one before it goes. Ink only calls get and set.
 */
export class BoundedCache<K, V> {
  private current = new Map<K, V>();
  private older: Map<K, V> | undefined;

  constructor(private readonly limit = 2000) {}

  /** Entries in the current generation. */
  get size(): number {
    return this.current.size;
  }

  get(key: K): V | undefined {
    const own = this.current.get(key);
    if (own !== undefined || this.older === undefined) return own;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): this {
    if (this.current.size >= this.limit && !this.current.has(key)) {
      this.older = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return this;
  }

  /**
   * Makes `other`'s current entries this cache's fallback (carries one frame's cache into the
   * next), or drops the fallback.
   */
  fallBackTo(other: BoundedCache<K, V> | undefined): void {
    this.older = other?.current;
  }
}

/** What Ink's output buffer uses of its caches. */
interface CacheLike<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
}

interface InkOutputCaches {
  widths: CacheLike<number>;
  blockWidths: CacheLike<number>;
  styledChars: CacheLike<unknown>;
}

const CACHE_KEYS = ['widths', 'blockWidths', 'styledChars'] as const;
let previous: InkOutputCaches | undefined;

/** A new per-frame cache for Ink's output buffer whose maps fall back to the previous frame's. */
export function carryOverCaches<C extends InkOutputCaches>(Caches: new () => C): C {
  const caches = new Caches();
  for (const key of CACHE_KEYS) {
    const map = new BoundedCache<string, never>(20_000);
    const prev = previous?.[key] as BoundedCache<string, never> | undefined;
    map.fallBackTo(prev);
    // The previous frame's caches no longer need their own fallback: memory stays at two frames.
    prev?.fallBackTo(undefined);
    (caches as InkOutputCaches)[key] = map;
  }
  previous = caches;
  return caches;
}

/** Whether every UTF-16 code unit of `str` is a grapheme cluster of its own. */
function codeUnitsAreClusters(str: string): boolean {
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (!((c < 0x80 && c !== 0x0d) || isSimpleCodeUnit(c))) return false;
  }
  return true;
}

/** Intl.Segmenter's `Segments` for a string whose code units are its clusters. */
class CodeUnitSegments implements Iterable<Intl.SegmentData> {
  constructor(private readonly input: string) {}

  containing(index = 0): Intl.SegmentData | undefined {
    const i = Math.trunc(index);
    return i >= 0 && i < this.input.length ? { segment: this.input[i]!, index: i, input: this.input } : undefined;
  }

  [Symbol.iterator](): Iterator<Intl.SegmentData> {
    const input = this.input;
    let i = 0;
    return {
      next: () =>
        i < input.length
          ? { done: false, value: { segment: input[i]!, index: i++, input } }
          : { done: true, value: undefined },
    };
  }
}

/**
 * Stands in for `new Intl.Segmenter(locales, { granularity: 'grapheme' })` in Ink's helpers
 * (string-width, wrap-ansi's string-width, slice-ansi, ansi-tokenize): strings whose code units
 * are their own clusters are split by code unit; anything else goes to a real Intl.Segmenter,
 * made on first need (making one loads ICU break-iterator data: ≈ 5 ms at start-up, each).
 */
export function graphemeSegmenter(
  locales?: string | string[],
  options?: Intl.SegmenterOptions,
): {
  segment(input: string): Iterable<Intl.SegmentData> & { containing(index?: number): Intl.SegmentData | undefined };
} {
  if (options?.granularity !== undefined && options.granularity !== 'grapheme')
    throw new Error(`graphemeSegmenter: granularity ${options.granularity} is not supported`);
  let real: Intl.Segmenter | undefined;
  return {
    segment: (input: string) => {
      const str = String(input);
      if (codeUnitsAreClusters(str)) return new CodeUnitSegments(str);
      // The exact fallback for clusters of several code points.
      return (real ??= new Intl.Segmenter(locales, options)).segment(str);
    },
  };
}

interface StyledCell {
  readonly type: 'char';
  readonly value: string;
  readonly fullWidth: boolean;
  readonly styles: readonly unknown[];
}

/** The empty cell Ink fills its output buffer with: one frozen object instead of one per cell per frame. */
export const BLANK_CELL: StyledCell = Object.freeze({
  type: 'char',
  value: ' ',
  fullWidth: false,
  styles: Object.freeze([]),
});

// Row y of the previous frame (rows past a shrunk frame stay: identical cells mean identical text).
const previousRows: { cells: readonly (StyledCell | undefined)[]; text: string }[] = [];

/**
 * The text of row `y` of Ink's output buffer (`toText` is ansi-tokenize's styledCharsToString).
 * Cells come from the carried-over caches, so a row that did not change is made of the very same
 * cell objects as last frame: then last frame's text is reused.
 */
export function rowText(y: number, cells: (StyledCell | undefined)[], toText: (cells: StyledCell[]) => string): string {
  const prev = previousRows[y];
  if (prev !== undefined && prev.cells.length === cells.length && prev.cells.every((c, x) => c === cells[x])) {
    // Hold the newest array: its cells are what the next frame's carried-over caches hand out.
    prev.cells = cells;
    return prev.text;
  }
  // As Ink does: wide characters leave holes (undefined) in the row; trailing blanks are trimmed.
  const text = toText(cells.filter((c): c is StyledCell => c !== undefined)).trimEnd();
  previousRows[y] = { cells, text };
  return text;
}
