import { describe, expect, it } from 'vitest';
import { ago, bytes, duration, fromSeconds, pct } from '../../src/present/format.js';
import { T0 } from '../ui/fixtures.js';

describe('glance formats', () => {
  it('says how long ago in coarse steps (each change of the text is a frame)', () => {
    expect(ago(T0, T0 + 900)).toBe('just now');
    expect(ago(T0, T0 + 9_999)).toBe('just now');
    expect(ago(T0, T0 + 25_000)).toBe('20s ago');
    expect(ago(T0, T0 + 185_000)).toBe('3m ago');
    expect(ago(T0, T0 + 2 * 3600_000 + 5 * 60_000)).toBe('2h ago');
  });

  it('formats percentages, bytes and durations for tight panels', () => {
    expect(pct(7.46)).toBe('7.5 %');
    expect(pct(91.2)).toBe('91 %');
    expect(pct(null)).toBe('—');
    expect(bytes(1.5e9)).toBe('1.5 GB');
    expect(duration(754_000)).toBe('12m');
    expect(duration(fromSeconds(754))).toBe('12m');
    expect(duration(null)).toBe('—');
  });
});
