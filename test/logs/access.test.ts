import { describe, expect, it } from 'vitest';
import {
  AccessAggregator,
  formatClfTime,
  TopK,
  looksLikeAccessLog,
  nextWindow,
  parseAccessLine,
  parseClfTime,
} from '../../src/logs/access.js';

const T = Date.UTC(2026, 11, 4, 10, 15, 30); // 04/Dec/2026:10:15:30 +0000

describe('parseAccessLine', () => {
  it('reads nginx combined with $request_time appended', () => {
    const e = parseAccessLine(
      '203.0.113.7 - alice [04/Dec/2026:19:15:30 +0900] "GET /api/v1/items?page=2 HTTP/1.1" 200 5123 ' +
        '"https://example.org/" "Mozilla/5.0 (X11; Linux x86_64)" 0.187',
    );
    expect(e).toEqual({
      client: '203.0.113.7',
      time: T,
      method: 'GET',
      path: '/api/v1/items',
      status: 200,
      bytes: 5123,
      durationMs: 187,
    });
  });

  it('reads plain combined (no response time), a - size and an IPv6 client', () => {
    const e = parseAccessLine('2001:db8::1 - - [04/Dec/2026:10:15:30 +0000] "HEAD / HTTP/1.1" 304 - "-" "curl/8.5.0"');
    expect(e).toMatchObject({ client: '2001:db8::1', time: T, status: 304, bytes: null, durationMs: null, path: '/' });
  });

  it('reads quotes in the user agent, escaped (nginx \\x22, Apache \\") and raw (gunicorn)', () => {
    const nginx = parseAccessLine(
      '10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET /a HTTP/1.1" 200 10 "-" "bot \\x22quoted\\x22" 1.250',
    );
    expect(nginx).toMatchObject({ path: '/a', durationMs: 1250 });
    const apache = parseAccessLine(
      '10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET /a\\"b HTTP/1.1" 404 0 "-" "x \\"y\\""',
    );
    expect(apache).toMatchObject({ path: '/a\\"b', status: 404, bytes: 0 });
    const raw = parseAccessLine(
      '10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "POST /login HTTP/1.0" 302 0 "-" "weird "agent" here" 2500',
    );
    expect(raw).toMatchObject({ method: 'POST', path: '/login', status: 302, durationMs: 2.5 });
  });

  it("reads gunicorn's default format with %(D)s (µs) and %(L)s (s)", () => {
    const d = parseAccessLine(
      '127.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET /health HTTP/1.1" 200 2 "-" "python-requests/2.31.0" 1534',
    );
    expect(d).toMatchObject({ durationMs: 1.534 });
    const l = parseAccessLine(
      '127.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET /health HTTP/1.1" 200 2 "-" "python-requests/2.31.0" 0.001534',
    );
    expect(l!.durationMs).toBeCloseTo(1.534, 6);
  });

  it('takes the configured field and unit', () => {
    const line = '10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 0.5 0.25';
    expect(parseAccessLine(line, { timeField: 1 })!.durationMs).toBe(250);
    expect(
      parseAccessLine('10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 42', {
        timeUnit: 'ms',
      })!.durationMs,
    ).toBe(42);
  });

  it('keeps a request line that is not one (TLS bytes to a plain port) and refuses what is not an access line', () => {
    expect(
      parseAccessLine('10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"'),
    ).toMatchObject({
      method: '-',
      path: '-',
      status: 400,
    });
    expect(parseAccessLine('2026/12/04 10:15:30 [error] 12#12: *1 connect() failed')).toBeNull();
    expect(parseAccessLine('10.0.0.1 - - [bad time] "GET / HTTP/1.1" 200 1')).toBeNull();
    expect(parseAccessLine('')).toBeNull();
    expect(parseClfTime('04/Dec/2026:10:15:30 -0130')).toBe(T + 90 * 60_000);
  });

  it('detects an access log from its first lines', () => {
    const ok = '10.0.0.1 - - [04/Dec/2026:10:15:30 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"';
    expect(looksLikeAccessLog([ok, ok, ok, ok, 'junk'])).toBe(true);
    expect(looksLikeAccessLog(['INFO started', 'ERROR x', ok])).toBe(false);
  });
});

describe('TopK (space-saving)', () => {
  it('keeps at most k keys and every heavy hitter', () => {
    const s = new TopK(10);
    for (let i = 0; i < 10_000; i++) {
      s.add(`noise-${i}`);
      if (i % 4 === 0) s.add('heavy');
    }
    expect(s.counts.size).toBe(10);
    expect(s.counts.get('heavy')).toBeGreaterThanOrEqual(2500);
    expect(s.evicted).toBe(true);
  });
});

function line(client: string, t: number, path: string, status: number, secs?: number): string {
  const time = secs === undefined ? '' : ` ${secs.toFixed(3)}`;
  return `${client} - - [${formatClfTime(t)}] "GET ${path} HTTP/1.1" ${status} 12 "-" "ua"${time}`;
}

describe('AccessAggregator', () => {
  it('counts a window, switches windows, and drops what is older than 24 h', () => {
    let now = T;
    const a = new AccessAggregator({ now: () => now });
    const lines = [
      line('10.0.0.1', T - 2 * 60_000, '/a', 200, 0.1), // 2 min ago
      line('10.0.0.1', T - 10 * 60_000, '/a', 500, 2), // 10 min ago, slow
      line('10.0.0.2', T - 30 * 60_000, '/b', 404, 0.3), // 30 min ago
      line('10.0.0.3', T - 5 * 3_600_000, '/c', 301), // 5 h ago, untimed
      line('10.0.0.3', T - 25 * 3_600_000, '/c', 200), // too old
      'not an access line',
      line('10.0.0.1', T, '/a', 201, 0.05), // this minute
    ];
    expect(a.addLines(lines)).toBe(6);
    const w5 = a.summary('5m');
    expect(w5).toMatchObject({ requests: 2, lastMinute: 1, timed: 2, slow: 0, unparsed: 1, tooOld: 1 });
    expect(w5.avgMs).toBeCloseTo(75, 6);
    expect(w5.statusClasses).toEqual([0, 0, 2, 0, 0, 0]);
    expect(w5.topClients).toEqual([{ key: '10.0.0.1', count: 2 }]);
    const w15 = a.summary('15m');
    expect(w15).toMatchObject({ requests: 3, slow: 1 });
    expect(w15.statusClasses).toEqual([0, 0, 2, 0, 0, 1]);
    const w1h = a.summary('1h');
    expect(w1h.requests).toBe(4);
    expect(w1h.topPaths).toEqual([
      { key: '/a', count: 3 },
      { key: '/b', count: 1 },
    ]);
    const day = a.summary('24h');
    expect(day.requests).toBe(5);
    expect(day.perMinute).toBeCloseTo(5 / 1440, 9);
    expect(day.topClients[0]).toEqual({ key: '10.0.0.1', count: 3 });
    expect(nextWindow('5m')).toBe('15m');
    expect(nextWindow('24h')).toBe('5m');
    // Time moves on: the 5-minute window empties, the day still holds them.
    now = T + 6 * 60_000;
    expect(a.summary('5m').requests).toBe(0);
    expect(a.summary('24h').requests).toBe(5);
  });

  it('gives p95 within a histogram bin', () => {
    const a = new AccessAggregator({ now: () => T });
    const lines: string[] = [];
    for (let i = 1; i <= 100; i++) lines.push(line('10.0.0.1', T, '/x', 200, i / 100)); // 10..1000 ms
    a.addLines(lines);
    const s = a.summary('5m');
    expect(s.p95Ms!).toBeGreaterThanOrEqual(950);
    expect(s.p95Ms!).toBeLessThan(950 * 1.2);
    expect(s.slow).toBe(0);
  });
});
