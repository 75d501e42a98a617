import { describe, expect, it } from 'vitest';
import {
  agoLong,
  bytes,
  elapsed,
  localSecond,
  remaining,
  seconds,
  duration,
  durationLong,
  formatLimits,
  formatValue,
  levelLabel,
  paint,
  percent,
  shouldColor,
  supportsUnicode,
  truncate,
} from '../../src/present/format.js';
import type { Level } from '../../src/engine/thresholds.js';

describe('formatters', () => {
  it('every level has a word and a symbol, readable without colour', () => {
    const levels: Level[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
    expect(levels.map((l) => levelLabel(l))).toEqual(['✓ OK', '! WARN', '✗ CRIT', '? UNKNOWN']);
    expect(levels.map((l) => levelLabel(l, true))).toEqual(['+ OK', '! WARN', 'x CRIT', '? UNKNOWN']);
    expect(paint('CRITICAL', 'x', false)).toBe('x');
    expect(paint('CRITICAL', 'x', true)).toBe('\x1b[1;31mx\x1b[0m');
  });

  it('colour: NO_COLOR and TERM=dumb win over a TTY, FORCE_COLOR over a pipe', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(shouldColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(supportsUnicode({ LANG: 'C' })).toBe(false);
    expect(supportsUnicode({ LANG: 'en_US.UTF-8' })).toBe(true);
  });

  it('values in their units', () => {
    expect(percent(84.96)).toBe('85.0%');
    expect(formatValue('host.cpu', 7.25, '%')).toBe('7.3%');
    expect(formatValue('host.cpu', null, '%')).toBe('—');
    expect(formatValue('redis.reachable', 0, 'count')).toBe('no');
    expect(formatValue('postgres.reachable', 1, 'count')).toBe('yes');
    expect(formatValue('postgres.longestQuerySeconds', 0, 's')).toBe('0s');
    expect(formatValue('postgres.longestQuerySeconds', 192, 's')).toBe('3m 12s');
    expect(formatValue('redis.evictionsPerSecond', 2.5, '/s')).toBe('2.5/s');
    expect(formatValue('backup.ageHours', 26, 'h')).toBe('26 h');
    expect(formatValue('x.bytes', 1_500_000, 'bytes')).toBe('1.5 MB');
    expect(bytes(1000)).toBe('1 kB');
    expect(duration(450)).toBe('450ms');
    expect(agoLong(0, 65_000)).toBe('1m 5s ago');
    expect(durationLong(192_000)).toBe('3m 12s');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('limits read as the comparison that breaches', () => {
    expect(formatLimits({ metric: 'host.cpu', warn: 70, crit: 85, direction: 'above' }, '%')).toBe('≥70% ≥85%');
    expect(formatLimits({ metric: 'postgres.cacheHitRatio', warn: 95, crit: 90, direction: 'below' }, '%', true)).toBe(
      '<=95% <=90%',
    );
    expect(formatLimits({ metric: 'redis.rdbLastSaveFailed', warn: 1, crit: 1, direction: 'above' }, 'count')).toBe(
      '≥1',
    );
    expect(formatLimits({ metric: 'redis.reachable', warn: 0, crit: 0, direction: 'below' }, 'count')).toBe(
      'must answer',
    );
    expect(formatLimits({ metric: 'postgres.connections', warn: 0.001, crit: 0.01, direction: 'above' }, '%')).toBe(
      '≥0.001% ≥0.01%',
    );
  });
});

describe('job times', () => {
  it('elapsed: one decimal (or whole seconds) under a minute, then minutes and seconds', () => {
    expect(elapsed(4_200)).toBe('4.2 s');
    expect(elapsed(4_200, false)).toBe('4 s');
    expect(elapsed(125_000)).toBe('2m05s');
    expect(elapsed(125_000, false)).toBe('2m05s');
  });

  it('remaining: a countdown rounded up, in seconds only in its last minute', () => {
    expect(remaining(11 * 60_000 + 1)).toBe('12m');
    expect(remaining(45_000)).toBe('45s');
    expect(remaining(-5)).toBe('0s');
  });

  it('localSecond: local date and time to the second', () => {
    const at = new Date(2025, 0, 15, 3, 0, 12).getTime();
    expect(localSecond(at)).toBe('2025-01-15 03:00:12');
    expect(seconds(12_345)).toBe('12.3 s');
  });
});
