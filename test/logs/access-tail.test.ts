// Access logs through the real pipeline: a real file followed by the real follower while lines are
// appended, its history read from the file's end on open (bounded), and the counts checked against
// a count made directly from the generated requests. Then the memory bound with 1M distinct clients.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessAggregator, formatClfTime, type AccessWindow } from '../../src/logs/access.js';
import { openLogTail, type LogTail } from '../../src/logs/tail.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let tail: LogTail | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-access-'));
});
afterEach(async () => {
  await tail?.stop();
  tail = null;
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 11, 4, 12, 0, 30);
const stamp = formatClfTime;

interface Req {
  client: string;
  time: number;
  path: string;
  status: number;
  ms: number;
}

/** A deterministic generator (LCG) of requests with a skewed choice of clients and paths. */
function generate(n: number, from: number, to: number, seed: number): Req[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(40 * rnd() * rnd()); // skewed: low numbers more often
    const ip = c % 5 === 0 ? `2001:db8::${c.toString(16)}` : `198.51.100.${c}`;
    const r = rnd();
    const status = r < 0.8 ? 200 : r < 0.88 ? 304 : r < 0.97 ? 404 : 502;
    out.push({
      client: ip,
      time: from + Math.floor(((to - from) * i) / n),
      path: `/api/v1/r${Math.floor(25 * rnd() * rnd())}`,
      status,
      ms: rnd() < 0.03 ? 1000 + Math.floor(3000 * rnd()) : 1 + Math.floor(400 * rnd()),
    });
  }
  return out;
}

function render(r: Req, i: number): string {
  if (i % 997 === 0) return `2026/12/04 12:00:00 [error] 12#12: *${i} upstream timed out`; // not an access line
  const size = r.status === 304 ? '-' : String(100 + (i % 5000));
  const request = `"GET ${r.path}?q=${i} HTTP/1.1" ${r.status} ${size}`;
  return `${r.client} - - [${stamp(r.time)}] ${request} "-" "Mozilla/5.0 \\x22x\\x22" ${(r.ms / 1000).toFixed(3)}`;
}

/** The same figures counted directly from the requests. */
function expected(reqs: Req[], window: AccessWindow) {
  const minutes = { '5m': 5, '15m': 15, '1h': 60, '24h': 1440 }[window];
  const oldest = (Math.floor(NOW / 60_000) - minutes + 1) * 60_000;
  const inside = reqs.filter((r) => r.time >= oldest && r.time <= NOW);
  const classes = [0, 0, 0, 0, 0, 0];
  const clients = new Map<string, number>();
  const paths = new Map<string, number>();
  let sum = 0;
  let slow = 0;
  for (const r of inside) {
    classes[Math.floor(r.status / 100)]!++;
    clients.set(r.client, (clients.get(r.client) ?? 0) + 1);
    paths.set(r.path, (paths.get(r.path) ?? 0) + 1);
    sum += r.ms;
    if (r.ms > 1000) slow++;
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5)
      .map(([key, count]) => ({ key, count }));
  return {
    requests: inside.length,
    statusClasses: classes,
    avgMs: sum / inside.length,
    slow,
    topClients: top(clients),
    topPaths: top(paths),
  };
}

const until = (pred: () => boolean, what: string): Promise<unknown> =>
  waitFor(pred, {
    timeoutMs: 60_000,
    intervalMs: 20,
    what,
    lastSeen: () => `status ${tail?.lastStatus}; parsed ${tail?.access?.parsed}; unparsed ${tail?.access?.unparsed}`,
  });

describe('access log through the follower', () => {
  it('counts 100k lines (60k history read on open, 40k appended while following) as a direct count does', async () => {
    const file = path.join(dir, 'access.log');
    // History: 60k requests over the last 50 minutes before NOW - 2 min; then 40k in the last 2 minutes.
    const old = generate(60_000, NOW - 50 * 60_000, NOW - 2 * 60_000, 7);
    const fresh = generate(40_000, NOW - 2 * 60_000, NOW, 11);
    const all = [...old, ...fresh];
    const lines = all.map((r, i) => render(r, i));
    const reqs = all.filter((_, i) => i % 997 !== 0);
    writeFileSync(file, `${lines.slice(0, 60_000).join('\n')}\n`);
    tail = openLogTail({
      source: { name: 'nginx', file, access: 'combined' },
      bufferLines: 1000,
      frameMs: 50,
      file: { pollMs: 20 },
      now: () => NOW,
    });
    const seen = () => tail!.access!.parsed + tail!.access!.unparsed + tail!.access!.tooOld;
    await until(() => seen() === 60_000, 'the history');
    for (let at = 60_000; at < 100_000; at += 4000) appendFileSync(file, `${lines.slice(at, at + 4000).join('\n')}\n`);
    await until(() => seen() === 100_000, 'every appended line');
    expect(tail.access!.unparsed).toBe(lines.filter((_, i) => i % 997 === 0).length);
    for (const w of ['5m', '15m', '1h'] as const) {
      const got = tail.access!.summary(w);
      const want = expected(reqs, w);
      expect(got.requests, w).toBe(want.requests);
      expect(got.statusClasses, w).toEqual(want.statusClasses);
      expect(got.slow, w).toBe(want.slow);
      expect(got.avgMs!, w).toBeCloseTo(want.avgMs, 6);
      expect(got.topClients, w).toEqual(want.topClients);
      expect(got.topPaths, w).toEqual(want.topPaths);
    }
    // The window is switched on the tail (the panel's key).
    expect(tail.accessWindow).toBe('5m');
    expect(tail.cycleAccessWindow()).toBe('15m');
  }, 120_000);

  it('reads only the configured bytes of history, and detects an unmarked access log', async () => {
    const file = path.join(dir, 'access.log');
    const reqs = generate(20_000, NOW - 30 * 60_000, NOW, 3);
    const text = `${reqs.map((r, i) => render(r, i + 1)).join('\n')}\n`;
    writeFileSync(file, text);
    const bytes = 64 * 1024;
    // Counted another way: the complete lines in the file's last 64 KiB.
    const end = readFileSync(file).subarray(-bytes).toString();
    const want = end
      .slice(end.indexOf('\n') + 1)
      .split('\n')
      .filter((l) => l !== '').length;
    tail = openLogTail({
      source: { name: 'gunicorn', file, access: { format: 'auto', historyBytes: bytes } },
      file: { pollMs: 20 },
      now: () => NOW,
    });
    await until(() => tail!.access!.parsed + tail!.access!.unparsed === want, 'the bounded history');
    await tail.stop();
    // Not marked: detected from its first lines (the usual 100-line backlog, then what is appended).
    tail = openLogTail({ source: { name: 'plain', file }, file: { pollMs: 20 }, now: () => NOW });
    await until(() => tail!.access !== null && tail!.access.parsed + tail!.access.unparsed === 100, 'detection');
    await tail.stop();
    writeFileSync(path.join(dir, 'app.log'), Array.from({ length: 50 }, (_, i) => `INFO line ${i}`).join('\n') + '\n');
    tail = openLogTail({ source: { name: 'app', file: path.join(dir, 'app.log') }, file: { pollMs: 20 } });
    await until(() => tail!.stats().received === 50, 'the app log');
    expect(tail.access).toBeNull();
  }, 60_000);
});

describe('access aggregator memory', () => {
  it('stays bounded with 1M distinct client addresses', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const a = new AccessAggregator({ now: () => NOW });
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const batch = (from: number) => {
      const lines: string[] = [];
      for (let i = from; i < from + 10_000; i++) {
        const t = NOW - 86_000_000 + Math.floor((86_000_000 * i) / 1_000_000);
        const ip = i % 2 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `2001:db8::${i.toString(16)}`;
        lines.push(`${ip} - - [${stamp(t)}] "GET /p${i % 5000} HTTP/1.1" 200 5 "-" "ua" 0.010`);
      }
      a.addLines(lines);
    };
    for (let i = 0; i < 100_000; i += 10_000) batch(i);
    const at100k = heap();
    for (let i = 100_000; i < 1_000_000; i += 10_000) batch(i);
    const at1m = heap();
    expect(a.parsed).toBe(1_000_000);
    // 60 minute sketches × 64 keys and 25 hour sketches × 256 keys, for clients and for paths.
    expect(a.keysHeld).toBeLessThanOrEqual(2 * (60 * 64 + 25 * 256));
    expect(at1m - at100k).toBeLessThan(8 * 1024 * 1024);
    const day = a.summary('24h');
    expect(day.requests).toBe(1_000_000);
    expect(day.approximate).toBe(true);
  }, 120_000);
});
