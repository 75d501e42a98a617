import { describe, expect, it } from 'vitest';
import { clockTime, compareText, groupDigits } from '../../src/util/text.js';

describe('text helpers without ICU', () => {
  it('sorts names case-insensitively, ties by code unit, and is a total order', () => {
    const names = ['web', 'Api', 'api', 'db-2', 'db-10', 'Cache', '_x', 'ß'];
    expect([...names].sort(compareText)).toEqual(['_x', 'Api', 'api', 'Cache', 'db-10', 'db-2', 'web', 'ß']);
    for (const a of names)
      for (const b of names) expect(Math.sign(compareText(a, b))).toBe(-Math.sign(compareText(b, a)) || 0);
  });

  it('groups digits like en-US toLocaleString', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 1234567890, -1234, 12345.6]) {
      expect(groupDigits(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
    expect(groupDigits(Number.NaN)).toBe('NaN');
  });

  it('formats local time as HH:MM:SS', () => {
    const d = new Date(2026, 10, 21, 3, 4, 5);
    expect(clockTime(d.getTime())).toBe('03:04:05');
    expect(clockTime(new Date(2026, 0, 1, 23, 59, 59).getTime())).toBe('23:59:59');
  });
});
