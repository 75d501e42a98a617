// Caches for Ink's renderer, wired in by the build (scripts/build-plugins.mjs).
//
// - Ink's output buffer caches the styled characters and widths of each line it draws, but in a
//   fresh cache per frame, so an idle console re-tokenized every unchanged line every frame.
//   `carryOverCaches` gives each frame's cache the previous frame's entries to fall back on:
//   unchanged lines cost a map lookup; memory stays at two frames' worth.
// - Ink's text measurement keeps every string it ever measured in one Map, for the life of the
//   process: a console whose values change every two seconds grows it forever. `BoundedCache`
//   keeps the recent entries only.
// - Intl.Segmenter is what splits a line into grapheme clusters, and it is slow; `segments`
//   splits by UTF-16 code unit instead when every code unit is a cluster of its own (ASCII,
//   controls other than CR, and the characters of string-width-fast's simple set), which gives
//   the same clusters.
import { isSimpleCodeUnit } from './string-width-fast.js';

/** A Map that looks up misses in the previous generation and stops after `limit` own entries. */
export class BoundedCache<K, V> extends Map<K, V> {
  private older: Map<K, V> | undefined;

  constructor(private readonly limit = 2000) {
    super();
  }

  override get(key: K): V | undefined {
    const own = super.get(key);
    if (own !== undefined || this.older === undefined) return own;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) {
      // Start a new generation: the current entries become the fallback, older ones go.
      this.older = new Map(this);
      super.clear();
    }
    return super.set(key, value);
  }

  /** Makes `older` the fallback generation (used to carry one frame's cache into the next). */
  fallBackTo(older: Map<K, V> | undefined): void {
    this.older = older;
  }
}

interface InkOutputCaches {
  widths: Map<string, number>;
  blockWidths: Map<string, number>;
  styledChars: Map<string, unknown>;
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
    // The previous frame's maps no longer need their own fallback: memory stays at two frames.
    prev?.fallBackTo(undefined);
    (caches as InkOutputCaches)[key] = map as Map<string, never>;
  }
  previous = caches;
  return caches;
}

// Made on first need: most consoles never meet a string that needs it.
let segmenter: Intl.Segmenter | undefined;

/** Grapheme clusters of `str` with their indexes, as Intl.Segmenter gives them. */
export function segments(str: string): Iterable<{ segment: string; index: number }> {
  const out: { segment: string; index: number }[] = [];
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if ((c < 0x80 && c !== 0x0d) || isSimpleCodeUnit(c)) out.push({ segment: str[i]!, index: i });
    // eslint-disable-next-line no-restricted-globals -- the exact fallback for clusters of several code points
    else return (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(str);
  }
  return out;
}

interface StyledCell {
  readonly type: 'char';
  readonly value: string;
  readonly fullWidth: boolean;
  readonly styles: readonly unknown[];
}

/** The empty cell Ink fills its output buffer with: one frozen object instead of one per cell per frame. */
export const BLANK_CELL: StyledCell = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });

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
