// The one presentation module: pure functions from values to the strings that `opsdeck status`,
// the other commands and the console show. One unit per quantity — durations and ages are in
// milliseconds, sizes in bytes, percentages in percent — so a caller never guesses. Every level
// has a word and a symbol so it reads without colour (NO_COLOR, a monochrome SSH session, a cron
// mail). No Intl, no toLocaleString: they page in ICU data (see src/util/text.ts).
import prettyBytes from 'pretty-bytes';
import prettyMs from 'pretty-ms';
import type { Rule } from '../config/resolve.js';
import type { Level } from '../util/level.js';
import { groupDigits } from '../util/text.js';

/** What a missing value reads as. */
export const NONE = '—';

// ── levels ────────────────────────────────────────────────────────────────────────────────────

const SYMBOL: Record<Level, string> = { OK: '✓', WARNING: '!', CRITICAL: '✗', UNKNOWN: '?' };
const SYMBOL_ASCII: Record<Level, string> = { OK: '+', WARNING: '!', CRITICAL: 'x', UNKNOWN: '?' };
const WORD: Record<Level, string> = { OK: 'OK', WARNING: 'WARN', CRITICAL: 'CRIT', UNKNOWN: 'UNKNOWN' };
const ANSI: Record<Level, string> = {
  OK: '\x1b[32m',
  WARNING: '\x1b[33m',
  CRITICAL: '\x1b[1;31m',
  UNKNOWN: '\x1b[35m',
};

/** The short word for a level: OK, WARN, CRIT, UNKNOWN. */
export function levelWord(level: Level): string {
  return WORD[level];
}

/** The symbol for a level (✓ ! ✗ ?), or an ASCII one (+ ! x ?) for terminals without UTF-8. */
export function levelSymbol(level: Level, ascii = false): string {
  return (ascii ? SYMBOL_ASCII : SYMBOL)[level];
}

/** Symbol and short word, e.g. "✗ CRIT": readable with colours off. */
export function levelLabel(level: Level, ascii = false): string {
  return `${levelSymbol(level, ascii)} ${levelWord(level)}`;
}

/** Wraps `text` in the level's ANSI colour when `color` is on. */
export function paint(level: Level, text: string, color: boolean): string {
  return color ? `${ANSI[level]}${text}\x1b[0m` : text;
}

// ── terminal capabilities ─────────────────────────────────────────────────────────────────────

/** Whether to colour output: never with NO_COLOR or TERM=dumb, always with FORCE_COLOR, else only on a TTY. */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Whether the terminal can be trusted with UTF-8 symbols (LANG/LC_* mention UTF-8). */
export function supportsUnicode(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale === '' || /utf-?8/i.test(locale);
}

// ── values ────────────────────────────────────────────────────────────────────────────────────

function missing(value: number | null | undefined): value is null | undefined {
  return value === null || value === undefined || !Number.isFinite(value);
}

/** A percentage for a glance in a tight panel: "7.5 %", "61 %". */
export function pct(value: number | null | undefined): string {
  if (missing(value)) return NONE;
  return `${Math.abs(value) < 10 && value !== 0 ? value.toFixed(1) : Math.round(value)} %`;
}

/** A percentage with one decimal for tables, "84.6%" (84.96 is "85.0%", never rounded up to a limit's "85%"). */
export function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/**
 * Bytes in decimal units, three significant digits, like df -H: "1.23 GB" (no options: pretty-bytes
 * then needs no Intl).
 */
export function bytes(value: number | null | undefined): string {
  if (missing(value)) return NONE;
  return prettyBytes(value);
}

/** Bytes per second: "1.2 MB/s". */
export function rate(value: number | null | undefined): string {
  return missing(value) ? NONE : `${bytes(value)}/s`;
}

/** A plain count with thousands separators. */
export function count(value: number | null | undefined): string {
  return missing(value) ? NONE : groupDigits(value);
}

// ── durations and ages (milliseconds) ─────────────────────────────────────────────────────────

/** Seconds as a probe reports them, in milliseconds as every duration here takes them. */
export function fromSeconds(s: number | null | undefined): number | null {
  return s === null || s === undefined ? null : s * 1000;
}

/** A duration for a tight panel, one unit: "450ms", "3m", "2h", "4d". */
export function duration(ms: number | null | undefined): string {
  if (missing(ms)) return NONE;
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  return prettyMs(Math.round(ms / 1000) * 1000, { compact: true });
}

/** A duration in two units at most: "450ms", "3m 12s". */
export function durationLong(ms: number | null | undefined): string {
  if (missing(ms)) return NONE;
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  return prettyMs(ms, { unitCount: 2, secondsDecimalDigits: 0 });
}

/** Seconds with one decimal, "12.3 s": how long a job took. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Time a job has been running: "4.2 s" ("4 s" when not `precise`) under a minute, then "2m05s". */
export function elapsed(ms: number, precise = true): string {
  const s = ms / 1000;
  if (s < 60) return precise ? `${s.toFixed(1)} s` : `${Math.floor(s)} s`;
  return `${Math.floor(s / 60)}m${pad(Math.floor(s % 60))}s`;
}

/** Time left on a countdown, rounded up: "12m", then "45s" in the last minute. */
export function remaining(ms: number): string {
  if (ms <= 0) return '0s';
  return ms >= 60_000 ? `${Math.ceil(ms / 60_000)}m` : `${Math.ceil(ms / 1000)}s`;
}

/**
 * How long ago `at` was, compact and coarse: "just now", "20s ago" (10 s steps), "3m ago",
 * "2h ago". Coarse on purpose: each change of this text is a frame, and an operator reads
 * "since when" in minutes.
 */
export function ago(at: number, now: number): string {
  const s = Math.floor((now - at) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${Math.floor(s / 10) * 10}s ago`;
  return `${prettyMs(Math.floor(s / 60) * 60_000, { compact: true })} ago`;
}

/** How long ago `at` was, in two units: "3m 12s ago" (tables and the one-shot status). */
export function agoLong(at: number, now: number): string {
  return `${durationLong(now - at)} ago`;
}

/** An age in whole minutes, hours or days and hours: "45m", "3h", "2d 4h" ("future" when negative). */
export function age(ms: number): string {
  if (ms < 0) return 'future';
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// ── times ─────────────────────────────────────────────────────────────────────────────────────

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time "HH:MM:SS" for tables (with the date when not today). */
export function clock(at: number, now: number): string {
  const d = new Date(at);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return new Date(now).toDateString() === d.toDateString() ? time : `${localDate(d)} ${time}`;
}

/** Local time to the second, "2025-01-05 03:00:12". */
export function localSecond(at: number): string {
  const d = new Date(at);
  return `${localMinute(at)}:${pad(d.getSeconds())}`;
}

/** Local time to the minute, "2025-01-05 03:00". */
export function localMinute(at: number): string {
  const d = new Date(at);
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ── metric values ─────────────────────────────────────────────────────────────────────────────

/**
 * A sample value in its unit as tables show it; `—` when unknown. `*.reachable` reads yes/no.
 * Units are the probes': '%', 's' (seconds), 'bytes', '/s', 'h' and 'd' (ages; the "never"
 * sentinel 999 999 reads "none yet"), anything else a count.
 */
export function formatValue(metric: string, value: number | null, unit: string): string {
  if (value === null) return NONE;
  if (metric.endsWith('.reachable')) return value >= 1 ? 'yes' : 'no';
  if (metric === 'http.up') return value >= 1 ? 'up' : 'down';
  switch (unit) {
    case 'ms':
      return `${Math.round(value)} ms`;
    case '%':
      return percent(value);
    case 's':
      return value < 1 ? `${trimNumber(value)}s` : durationLong(value * 1000);
    case 'bytes':
      return bytes(value);
    case '/s':
      return `${trimNumber(value)}/s`;
    case 'h':
      return value >= 999_999 ? 'none yet' : `${trimNumber(value)} h`;
    case 'd':
      return value >= 999_999 ? 'none yet' : `${trimNumber(value)} d`;
    default:
      return trimNumber(value);
  }
}

/** The limits of a rule as "≥70% ≥85%" (warn then crit; one value when they are equal). */
export function formatLimits(
  rule: Pick<Rule, 'metric' | 'warn' | 'crit' | 'direction'>,
  unit: string,
  ascii = false,
): string {
  if (rule.metric.endsWith('.reachable') || rule.metric === 'http.up') return 'must answer';
  const op = rule.direction === 'below' ? (ascii ? '<=' : '≤') : ascii ? '>=' : '≥';
  const one = (v: number) => `${op}${unit === '%' ? `${trimNumber(v)}%` : formatValue(rule.metric, v, unit)}`;
  return rule.warn === rule.crit ? one(rule.crit) : `${one(rule.warn)} ${one(rule.crit)}`;
}

// ── text ──────────────────────────────────────────────────────────────────────────────────────

/** Truncates to `width` columns with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Whole numbers as they are; others with one decimal from 10 up and three significant digits below. */
function trimNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Number(value.toPrecision(3)));
}
