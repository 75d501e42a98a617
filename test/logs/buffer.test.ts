import { describe, expect, it, vi } from 'vitest';
import { FrameBatcher } from '../../src/logs/batcher.js';
import { LineBuffer } from '../../src/logs/buffer.js';
import { parseFilter } from '../../src/logs/filter.js';
import { RateCounter } from '../../src/logs/rate.js';
import type { LogLine } from '../../src/logs/types.js';

let seq = 0;
const line = (text: string): LogLine => ({ seq: seq++, time: 0, text, level: 'info' });
const lines = (n: number, prefix = 'l'): LogLine[] => Array.from({ length: n }, (_, i) => line(`${prefix}${i}`));

describe('LineBuffer', () => {
  it('keeps only the newest `capacity` lines and counts the dropped ones', () => {
    const b = new LineBuffer(5);
    b.push(lines(3, 'a'));
    b.push(lines(4, 'b'));
    expect(b.size).toBe(5);
    expect(b.dropped).toBe(2);
    expect(b.view({ limit: 10 }).lines.map((l) => l.text)).toEqual(['a2', 'b0', 'b1', 'b2', 'b3']);
    b.push(lines(12, 'c'));
    expect(b.view({ limit: 10 }).lines.map((l) => l.text)).toEqual(['c7', 'c8', 'c9', 'c10', 'c11']);
    expect(b.dropped).toBe(14);
  });

  it('shows the last `limit` lines, oldest first', () => {
    const b = new LineBuffer(100);
    b.push(lines(10));
    expect(b.view({ limit: 3 }).lines.map((l) => l.text)).toEqual(['l7', 'l8', 'l9']);
  });

  it('freezes the view while paused and jumps to the newest on resume', () => {
    const b = new LineBuffer(100);
    b.push(lines(3, 'old'));
    b.pause();
    b.push(lines(2, 'new'));
    const v = b.view({ limit: 10 });
    expect(v.lines.map((l) => l.text)).toEqual(['old0', 'old1', 'old2']);
    expect(v.newer).toBe(2);
    b.resume();
    expect(b.view({ limit: 2 }).lines.map((l) => l.text)).toEqual(['new0', 'new1']);
  });

  it('filters and attaches match ranges', () => {
    const b = new LineBuffer(100);
    b.push([line('ok'), line('ERROR one'), line('fine'), line('ERROR two')]);
    const p = parseFilter('error');
    const v = b.view({ limit: 10, filter: p.ok ? p.filter : null });
    expect(v.lines.map((l) => [l.text, l.ranges])).toEqual([
      ['ERROR one', [[0, 5]]],
      ['ERROR two', [[0, 5]]],
    ]);
  });
});

describe('RateCounter', () => {
  it('counts events in the last minute, in buckets', () => {
    const r = new RateCounter(60_000, 1000);
    r.add(0, 3);
    r.add(30_000);
    r.add(59_999, 2);
    expect(r.count(59_999)).toBe(6);
    expect(r.count(60_000)).toBe(3); // the first second has left the window
    expect(r.count(200_000)).toBe(0);
    r.add(200_000);
    expect(r.count(200_500)).toBe(1);
    expect(r.total).toBe(7);
  });
});

describe('FrameBatcher', () => {
  it('flushes at most once per interval however many items arrive', () => {
    vi.useFakeTimers();
    try {
      const frames: number[][] = [];
      const b = new FrameBatcher<number>((items) => frames.push(items), { intervalMs: 100, now: () => Date.now() });
      for (let i = 0; i < 1000; i++) b.push([i]);
      expect(frames).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(frames).toHaveLength(1);
      expect(frames[0]).toHaveLength(1000);
      b.push([1]);
      vi.advanceTimersByTime(50);
      expect(frames).toHaveLength(1);
      vi.advanceTimersByTime(60);
      expect(frames).toHaveLength(2);
      b.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps only the newest maxItems of a frame and reports how many it dropped', () => {
    const frames: [number[], number][] = [];
    const b = new FrameBatcher<number>((items, dropped) => frames.push([items, dropped]), { maxItems: 3 });
    b.push([1, 2, 3, 4, 5, 6, 7, 8]);
    b.flushNow();
    expect(frames).toEqual([[[6, 7, 8], 5]]);
    expect(b.dropped).toBe(5);
    b.stop();
  });
});
