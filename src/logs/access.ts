// Access logs (nginx/Apache "combined", gunicorn's default access format, with a response time
// where the format appends one): each line is parsed once and counted into a fixed-size
// aggregator — per-minute buckets over the last 24 h (requests, status classes, timed requests,
// summed and slow response times, a log-scale latency histogram for p95) and space-saving
// heavy-hitter sketches for the top client addresses and paths (Metwally et al.: at most k keys
// per sketch, so memory does not grow with the number of distinct addresses, and any key seen
// more than n/k times in a sketch's span is in it). Sketches are kept per minute for the last hour
// and per hour for the last day; the top lists of a window are the sum of its sketches.
// Nothing here reads files: the tail feeds lines (its backlog from the file's end, then the new ones).

import { MONTHS } from './timestamps.js';

export type AccessFormat = 'combined' | 'gunicorn' | 'auto';
export type TimeUnit = 's' | 'ms' | 'us';

export interface AccessOptions {
  format?: AccessFormat;
  /**
   * Which of the numbers after the last quoted field is the response time (0 = the first;
   * default 0). nginx: `$request_time` appended; gunicorn: `%(D)s` (µs) or `%(L)s` (s).
   */
  timeField?: number;
  /**
   * Unit of that number; by default a decimal is seconds (nginx, `%(L)s`), an integer
   * microseconds (`%(D)s`, Apache `%D`).
   */
  timeUnit?: TimeUnit;
}

export interface AccessEntry {
  client: string;
  /** Milliseconds since the epoch, from the line's `[10/Oct/2000:13:55:36 -0700]`. */
  time: number;
  method: string;
  /** The request path without its query string ('-' when the request line is not one). */
  path: string;
  status: number;
  /** Response size in bytes; null for `-`. */
  bytes: number | null;
  /** Response time in ms, when the format has one. */
  durationMs: number | null;
}

// host ident user [time] "request" status size rest; the request may hold escaped (\") or raw quotes.
const LINE = /^(\S+) \S+ \S+ \[([^\]]+)\] "(.*?)" (\d{3}) (\d+|-)(?=$|\s)(.*)$/;

let lastStamp = '';
let lastTime = NaN;

/** `10/Oct/2000:13:55:36 -0700` → ms since the epoch (NaN when it is not one). */
export function parseClfTime(s: string): number {
  if (s === lastStamp) return lastTime;
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.\d+)? ([+-])(\d{2})(\d{2})$/.exec(s);
  let t = NaN;
  if (m) {
    const mon = MONTHS[m[2]!];
    if (mon !== undefined) {
      const off = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
      t = Date.UTC(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - off;
    }
  }
  lastStamp = s;
  lastTime = t;
  return t;
}

const MONTH_NAMES = Object.keys(MONTHS);
const p2 = (n: number): string => String(n).padStart(2, '0');

/** ms since the epoch → `10/Oct/2000:13:55:36 +0000` (UTC), as access logs write it. */
export function formatClfTime(t: number): string {
  const d = new Date(t);
  const date = `${p2(d.getUTCDate())}/${MONTH_NAMES[d.getUTCMonth()]!}/${d.getUTCFullYear()}`;
  return `${date}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

const NUMBER = /^\d+(?:\.\d+)?$/;

/** One access-log line, or null when it is not one. */
export function parseAccessLine(line: string, opts: AccessOptions = {}): AccessEntry | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const time = parseClfTime(m[2]!);
  if (Number.isNaN(time)) return null;
  const request = m[3]!;
  const sp = request.indexOf(' ');
  let method = '-';
  let path = '-';
  if (sp > 0) {
    method = request.slice(0, sp);
    const sp2 = request.indexOf(' ', sp + 1);
    const target = sp2 < 0 ? request.slice(sp + 1) : request.slice(sp + 1, sp2);
    const q = target.indexOf('?');
    path = q < 0 ? target : target.slice(0, q);
    if (path.length > 200) path = path.slice(0, 200);
  }
  const size = m[5]!;
  // The numbers after the last quote (referrer and user agent may hold raw quotes in gunicorn's log).
  const rest = m[6]!;
  let durationMs: number | null = null;
  if (rest.length > 0) {
    const q = rest.lastIndexOf('"');
    const fields = rest
      .slice(q + 1)
      .trim()
      .split(/\s+/);
    const raw = fields[opts.timeField ?? 0];
    if (raw !== undefined && NUMBER.test(raw)) {
      const v = Number(raw);
      const unit: TimeUnit = opts.timeUnit ?? (raw.includes('.') ? 's' : 'us');
      durationMs = unit === 's' ? v * 1000 : unit === 'ms' ? v : v / 1000;
    }
  }
  return {
    client: m[1]!,
    time,
    method,
    path,
    status: Number(m[4]),
    bytes: size === '-' ? null : Number(size),
    durationMs,
  };
}

/** Whether the first lines of a source look like an access log: most of them parse. */
export function looksLikeAccessLog(lines: readonly string[]): boolean {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 20);
  if (sample.length < 3) return false;
  const ok = sample.filter((l) => parseAccessLine(l) !== null).length;
  return ok / sample.length >= 0.8;
}

/**
 * A space-saving heavy-hitters sketch of at most `k` keys. Eviction candidates (keys holding the
 * smallest count at the last scan) are kept in a list checked lazily, so an eviction costs O(1)
 * amortised: one O(k) scan each time the list runs out, instead of one per new key.
 */
export class TopK {
  readonly counts = new Map<string, number>();
  /** The smallest count, as of the last scan (no count is below it). */
  private floor = 0;
  private candidates: string[] = [];
  private next = 0;
  /** True once a key was evicted: counts are then upper bounds. */
  evicted = false;

  constructor(readonly k: number) {}

  add(key: string, n = 1): void {
    const c = this.counts.get(key);
    if (c !== undefined) {
      this.counts.set(key, c + n);
      return;
    }
    if (this.counts.size < this.k) {
      this.counts.set(key, n);
      return;
    }
    const victim = this.victim();
    this.counts.delete(victim);
    this.counts.set(key, this.floor + n);
    this.evicted = true;
  }

  /** A key whose count is the smallest. */
  private victim(): string {
    for (;;) {
      while (this.next < this.candidates.length) {
        const k = this.candidates[this.next++]!;
        // Stale when it was counted again or evicted since the scan.
        if (this.counts.get(k) === this.floor) return k;
      }
      let min = Infinity;
      for (const v of this.counts.values()) if (v < min) min = v;
      this.floor = min;
      this.candidates = [];
      this.next = 0;
      for (const [k, v] of this.counts) if (v === min) this.candidates.push(k);
    }
  }

  clear(): void {
    this.counts.clear();
    this.candidates = [];
    this.next = 0;
    this.floor = 0;
    this.evicted = false;
  }
}

export const ACCESS_WINDOWS = ['5m', '15m', '1h', '24h'] as const;
export type AccessWindow = (typeof ACCESS_WINDOWS)[number];
const WINDOW_MINUTES: Record<AccessWindow, number> = { '5m': 5, '15m': 15, '1h': 60, '24h': 1440 };

/** The next window (the key cycles 5m → 15m → 1h → 24h → 5m). */
export function nextWindow(w: AccessWindow): AccessWindow {
  return ACCESS_WINDOWS[(ACCESS_WINDOWS.indexOf(w) + 1) % ACCESS_WINDOWS.length]!;
}

export interface AccessSummary {
  window: AccessWindow;
  requests: number;
  /** Requests per minute over the window. */
  perMinute: number;
  /** Requests in the current minute. */
  lastMinute: number;
  /** 1xx..5xx (index 1..5), index 0 anything else. */
  statusClasses: [number, number, number, number, number, number];
  /** Requests with a response time. */
  timed: number;
  avgMs: number | null;
  /** Approximate (histogram bin upper edge, within 19 %). */
  p95Ms: number | null;
  /** Responses slower than 1 s. */
  slow: number;
  topClients: { key: string; count: number }[];
  topPaths: { key: string; count: number }[];
  /** True when a sketch evicted keys: the top counts are upper bounds. */
  approximate: boolean;
  /** Lines that were not access-log lines (since the source opened). */
  unparsed: number;
  /** Lines older than 24 h (not counted in any window). */
  tooOld: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY_MINUTES = 1440;
const SLOW_MS = 1000;
/** Latency histogram: bin i holds (edge(i-1), edge(i)] with edge(i) = 1 ms × 1.19^i; 64 bins reach ~70 s. */
const BINS = 64;
const GROWTH = 1.19;
const LOG_GROWTH = Math.log(GROWTH);
// Per-minute numbers: requests, 6 status classes, timed, sum of ms, slow.
const F_REQ = 0;
const F_CLASS = 1;
const F_TIMED = 7;
const F_SUM = 8;
const F_SLOW = 9;
const FIELDS = 10;

export interface AggregatorOptions extends AccessOptions {
  now?: () => number;
  /** Keys per minute sketch (default 64) and per hour sketch (default 256). */
  minuteK?: number;
  hourK?: number;
  /** Entries in the top lists (default 5). */
  top?: number;
}

/** Counts access-log lines into fixed-size per-minute buckets and sketches; memory is fixed at construction. */
export class AccessAggregator {
  private readonly stamps = new Float64Array(DAY_MINUTES).fill(-1);
  private readonly nums = new Float64Array(DAY_MINUTES * FIELDS);
  private readonly hist = new Uint32Array(DAY_MINUTES * BINS);
  private readonly minClients: TopK[];
  private readonly minPaths: TopK[];
  private readonly minStamps = new Float64Array(60).fill(-1);
  private readonly hourClients: TopK[];
  private readonly hourPaths: TopK[];
  private readonly hourStamps = new Float64Array(25).fill(-1);
  private readonly now: () => number;
  private readonly top: number;
  unparsed = 0;
  parsed = 0;
  tooOld = 0;
  /** The last summary, reused while nothing was added and the minute is the same (one per frame at most). */
  private cache: { key: string; summary: AccessSummary } | null = null;

  constructor(private readonly opts: AggregatorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.top = opts.top ?? 5;
    const mk = opts.minuteK ?? 64;
    const hk = opts.hourK ?? 256;
    this.minClients = Array.from({ length: 60 }, () => new TopK(mk));
    this.minPaths = Array.from({ length: 60 }, () => new TopK(mk));
    this.hourClients = Array.from({ length: 25 }, () => new TopK(hk));
    this.hourPaths = Array.from({ length: 25 }, () => new TopK(hk));
  }

  /** Parses and counts lines; returns how many were access-log lines. */
  addLines(lines: readonly string[]): number {
    let ok = 0;
    const now = this.now();
    for (const line of lines) {
      let e: AccessEntry | null = null;
      try {
        e = parseAccessLine(line, this.opts);
      } catch {
        e = null;
      }
      if (!e) {
        if (line.length > 0) this.unparsed++;
        continue;
      }
      this.record(e, now);
      ok++;
    }
    return ok;
  }

  /** Counts one entry (at `now`, for the window's end). */
  record(e: AccessEntry, now = this.now()): void {
    // A line stamped in the future (clock skew) counts in the current minute.
    const t = Math.min(e.time, now);
    const minute = Math.floor(t / MINUTE);
    if (minute <= Math.floor(now / MINUTE) - DAY_MINUTES) {
      this.tooOld++;
      return;
    }
    this.parsed++;
    const i = minute % DAY_MINUTES;
    if (this.stamps[i] !== minute) {
      this.stamps[i] = minute;
      this.nums.fill(0, i * FIELDS, (i + 1) * FIELDS);
      this.hist.fill(0, i * BINS, (i + 1) * BINS);
    }
    const base = i * FIELDS;
    this.nums[base + F_REQ]!++;
    const cls = Math.floor(e.status / 100);
    this.nums[base + F_CLASS + (cls >= 1 && cls <= 5 ? cls : 0)]!++;
    if (e.durationMs !== null) {
      this.nums[base + F_TIMED]!++;
      this.nums[base + F_SUM]! += e.durationMs;
      if (e.durationMs > SLOW_MS) this.nums[base + F_SLOW]!++;
      this.hist[i * BINS + bin(e.durationMs)]!++;
    }
    // Top lists: minute sketches for the last hour, hour sketches for the day.
    if (minute > Math.floor(now / MINUTE) - 60) {
      const mi = minute % 60;
      if (this.minStamps[mi] !== minute) {
        this.minStamps[mi] = minute;
        this.minClients[mi]!.clear();
        this.minPaths[mi]!.clear();
      }
      this.minClients[mi]!.add(e.client);
      this.minPaths[mi]!.add(e.path);
    }
    const hour = Math.floor(t / HOUR);
    const hi = hour % 25;
    if (this.hourStamps[hi] !== hour) {
      this.hourStamps[hi] = hour;
      this.hourClients[hi]!.clear();
      this.hourPaths[hi]!.clear();
    }
    this.hourClients[hi]!.add(e.client);
    this.hourPaths[hi]!.add(e.path);
  }

  /** What the window ending now holds. */
  summary(window: AccessWindow): AccessSummary {
    const now = this.now();
    const key = `${window}|${this.parsed}|${this.unparsed}|${this.tooOld}|${Math.floor(now / MINUTE)}`;
    if (this.cache?.key === key) return this.cache.summary;
    const summary = this.compute(window, now);
    this.cache = { key, summary };
    return summary;
  }

  private compute(window: AccessWindow, now: number): AccessSummary {
    const minutes = WINDOW_MINUTES[window];
    const newest = Math.floor(now / MINUTE);
    const oldest = newest - minutes + 1;
    const sums = new Float64Array(FIELDS);
    const h = new Float64Array(BINS);
    let lastMinute = 0;
    for (let i = 0; i < DAY_MINUTES; i++) {
      const s = this.stamps[i]!;
      if (s < oldest || s > newest) continue;
      for (let f = 0; f < FIELDS; f++) sums[f]! += this.nums[i * FIELDS + f]!;
      for (let b = 0; b < BINS; b++) h[b]! += this.hist[i * BINS + b]!;
      if (s === newest) lastMinute = this.nums[i * FIELDS + F_REQ]!;
    }
    let sketches: { clients: TopK[]; paths: TopK[] };
    if (minutes <= 60) {
      const pick = (list: TopK[]) =>
        list.filter((_, i) => this.minStamps[i]! >= oldest && this.minStamps[i]! <= newest);
      sketches = { clients: pick(this.minClients), paths: pick(this.minPaths) };
    } else {
      // 24 h: hour sketches, so the oldest hour counts whole (the top lists are at hour granularity).
      const newestHour = Math.floor(now / HOUR);
      const oldestHour = Math.floor((oldest * MINUTE) / HOUR);
      const pick = (list: TopK[]) =>
        list.filter((_, i) => this.hourStamps[i]! >= oldestHour && this.hourStamps[i]! <= newestHour);
      sketches = { clients: pick(this.hourClients), paths: pick(this.hourPaths) };
    }
    const timed = sums[F_TIMED]!;
    return {
      window,
      requests: sums[F_REQ]!,
      perMinute: sums[F_REQ]! / minutes,
      lastMinute,
      statusClasses: Array.from({ length: 6 }, (_, c) => sums[F_CLASS + c]!) as AccessSummary['statusClasses'],
      timed,
      avgMs: timed > 0 ? sums[F_SUM]! / timed : null,
      p95Ms: timed > 0 ? percentile(h, timed, 0.95) : null,
      slow: sums[F_SLOW]!,
      topClients: merge(sketches.clients, this.top),
      topPaths: merge(sketches.paths, this.top),
      approximate: [...sketches.clients, ...sketches.paths].some((s) => s.evicted),
      unparsed: this.unparsed,
      tooOld: this.tooOld,
    };
  }

  /** Keys held by all sketches (for the memory bound's test). */
  get keysHeld(): number {
    let n = 0;
    for (const s of [...this.minClients, ...this.minPaths, ...this.hourClients, ...this.hourPaths]) n += s.counts.size;
    return n;
  }
}

function bin(ms: number): number {
  if (ms <= 1) return 0;
  return Math.min(BINS - 1, Math.ceil(Math.log(ms) / LOG_GROWTH));
}

function percentile(h: Float64Array, total: number, q: number): number {
  const want = Math.ceil(total * q);
  let seen = 0;
  for (let b = 0; b < BINS; b++) {
    seen += h[b]!;
    if (seen >= want) return Math.pow(GROWTH, b);
  }
  return Math.pow(GROWTH, BINS - 1);
}

function merge(sketches: TopK[], top: number): { key: string; count: number }[] {
  const sum = new Map<string, number>();
  for (const s of sketches) for (const [k, v] of s.counts) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([key, count]) => ({ key, count }));
}
