import { describe, expect, it } from 'vitest';
import { classify } from '../../src/logs/classify.js';
import { parseFilter, type LogFilter } from '../../src/logs/filter.js';

function filter(input: string): LogFilter {
  const p = parseFilter(input);
  if (!p.ok || !p.filter) throw new Error(`expected a filter for ${input}`);
  return p.filter;
}

describe('classify', () => {
  it.each([
    ['2024-01-01 12:00:00 ERROR Database connection failed', 'error'],
    ['2024-01-01 12:00:00 [main] WARN slow query 3.2s', 'warn'],
    ['FATAL:  password authentication failed for user "app"', 'error'],
    ['2024/01/01 12:00:00 [error] 123#0: upstream timed out', 'error'],
    ['level=error msg="queue unreachable"', 'error'],
    ['{"level":"warning","msg":"retrying"}', 'warn'],
    ['WARNING:  there is no transaction in progress', 'warn'],
    ['java.lang.NullPointerException at Foo.bar', 'error'],
    ['GET /health 200 3ms', 'info'],
    ['no error found in 3 files', 'info'],
    ['errors=0 warnings=0', 'info'],
  ])('%s → %s', (line, level) => {
    expect(classify(line)).toBe(level);
  });
});

describe('parseFilter', () => {
  it('treats empty input as no filter', () => {
    expect(parseFilter('')).toEqual({ ok: true, filter: null });
  });

  it('matches substrings with smart case and returns every match range', () => {
    const f = filter('error');
    expect(f.kind).toBe('substring');
    expect(f.test('ERROR: disk')).toBe(true);
    expect(f.ranges('Error x error')).toEqual([
      [0, 5],
      [8, 13],
    ]);
    const exact = filter('ERROR');
    expect(exact.test('error')).toBe(false);
    expect(exact.test('an ERROR')).toBe(true);
  });

  it('parses /regex/flags and highlights each match', () => {
    const f = filter('/timeout after \\d+ms/');
    expect(f.kind).toBe('regex');
    expect(f.test('Timeout after 300ms')).toBe(true); // smart case: all-lowercase pattern
    expect(f.ranges('x timeout after 30ms, timeout after 5ms')).toEqual([
      [2, 20],
      [22, 39],
    ]);
    expect(filter('/ERR/').test('err')).toBe(false);
  });

  it('does not loop on a pattern that can match the empty string', () => {
    expect(filter('/x*/').ranges('axxb')).toEqual([[1, 3]]);
  });

  it('reports a bad regex in words instead of throwing', () => {
    const p = parseFilter('/(unclosed/');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatch(/not a valid regular expression/);
  });

  it('treats a lone slash pair or a path as a substring', () => {
    expect(filter('//').kind).toBe('substring');
    expect(filter('/var/log').kind).toBe('substring');
  });
});
