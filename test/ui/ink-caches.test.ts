import { describe, expect, it } from 'vitest';
import { BLANK_CELL, BoundedCache, carryOverCaches, rowText } from '../../patches/runtime/ink-caches.js';

class FakeOutputCaches {
  widths = new Map<string, number>();
  blockWidths = new Map<string, number>();
  styledChars = new Map<string, unknown>();
}

describe('BoundedCache', () => {
  it('keeps at most two generations of `limit` entries and finds the older one on a miss', () => {
    const c = new BoundedCache<string, number>(3);
    for (let i = 0; i < 3; i++) c.set(`k${i}`, i);
    c.set('k3', 3); // fourth entry: a new generation starts
    expect(c.size).toBe(1);
    expect(c.get('k0')).toBe(0); // from the older generation, copied forward
    expect(c.size).toBe(2);
    for (let i = 4; i < 20; i++) c.set(`k${i}`, i);
    expect(c.get('k1')).toBeUndefined(); // two generations later: gone
    expect(c.get('k19')).toBe(19);
    expect(c.size).toBeLessThanOrEqual(3);
  });

  it("does not grow with a stream of distinct keys (the leak in Ink's measure and wrap caches)", () => {
    const c = new BoundedCache<string, number>(100);
    for (let i = 0; i < 100_000; i++) c.set(`up ${i}s`, i);
    expect(c.size).toBeLessThanOrEqual(100);
  });
});

describe('carryOverCaches', () => {
  it("gives each frame's caches the previous frame's entries, and no older ones", () => {
    const f1 = carryOverCaches(FakeOutputCaches);
    f1.widths.set('a', 1);
    const f2 = carryOverCaches(FakeOutputCaches);
    expect(f2.widths.get('a')).toBe(1);
    f2.widths.set('b', 2);
    f2.widths.set('c', 3);
    const f3 = carryOverCaches(FakeOutputCaches);
    expect(f3.widths.get('b')).toBe(2);
    expect(f3.widths.get('a')).toBe(1); // used in frame 2, so carried into it
    const f4 = carryOverCaches(FakeOutputCaches);
    expect(f4.widths.get('a')).toBe(1);
    expect(f4.widths.get('c')).toBeUndefined(); // not drawn in frame 3: dropped
  });
});

describe('rowText', () => {
  const cell = (value: string, styles: unknown[] = []) => ({ type: 'char' as const, value, fullWidth: false, styles });
  it('reuses the text of a row made of the very same cells, and re-encodes any other', () => {
    let calls = 0;
    const toText = (cells: { value: string }[]) => {
      calls++;
      return cells.map((c) => c.value).join('');
    };
    const a = cell('a');
    const b = cell('b');
    expect(rowText(900, [a, b, BLANK_CELL], toText)).toBe('ab');
    expect(rowText(900, [a, b, BLANK_CELL], toText)).toBe('ab');
    expect(calls).toBe(1);
    // Same text, different cell objects (e.g. a wide character's filler): encoded again.
    expect(rowText(900, [a, cell('b'), BLANK_CELL], toText)).toBe('ab');
    expect(calls).toBe(2);
    expect(rowText(900, [a, undefined, b], toText)).toBe('ab');
    expect(rowText(900, [b, a], toText)).toBe('ba');
    expect(calls).toBe(4);
  });

  it('shares one frozen blank cell', () => {
    expect(Object.isFrozen(BLANK_CELL)).toBe(true);
    expect(Object.isFrozen(BLANK_CELL.styles)).toBe(true);
  });
});
