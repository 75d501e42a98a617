// Small pure formatters shared by `opsdeck status` and the console. Every level has a word and a
// symbol so it reads without colour (NO_COLOR, a monochrome SSH session, a cron mail).
import prettyBytes from 'pretty-bytes';
import prettyMs from 'pretty-ms';
import type { Rule } from '../config/resolve.js';
import type { Level } from '../engine/thresholds.js';

const SYMBOL: Record<Level, string> = { OK: '✓', WARNING: '!', CRITICAL: '✗', UNKNOWN: '?' };
const SYMBOL_ASCII: Record<Level, string> = { OK: '+', WARNING: '!', CRITICAL: 'x', UNKNOWN: '?' };
const WORD: Record<Level, string> = { OK: 'OK', WARNING: 'WARN', CRITICAL: 'CRIT', UNKNOWN: 'UNKNOWN' };
const ANSI: Record<Level, string> = { OK: '\x1b[32m', WARNING: '\x1b[33m', CRITICAL: '\x1b[1;31m', UNKNOWN: '\x1b[35m' };

/** The short word for a level: OK, WARN, CRIT, UNKNOWN. */
export function levelWord(level: Level): string {
  return WORD[level];
}

/** The symbol for a level (✓ ! ✗ ?), or an ASCII one (+ ! x ?) for terminals without UTF-8. */
export function levelSymbol(level: Level, ascii = false): string {
  return (ascii ? SYMBOL_ASCII : SYMBOL)[level];
}

/** Symbol and word, e.g. "✗ CRIT": readable with colours off. */
export function levelLabel(level: Level, ascii = false): string {
  return `${levelSymbol(level, ascii)} ${levelWord(level)}`;
}

/** Wraps `text` in the level's ANSI colour when `color` is on. */
export function paint(level: Level, text: string, color: boolean): string {
  return color ? `${ANSI[level]}${text}\x1b[0m` : text;
}

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

/** A percentage with one decimal, "84.6%" (no rounding up to a limit: 84.96 is "85.0%", not "85%"). */
export function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Bytes as "1.2 GB" (decimal units, like df -H). */
export function bytes(value: number): string {
  return prettyBytes(value);
}

/** A duration in ms as "3m 12s" (two units at most). */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  return prettyMs(ms, { unitCount: 2, secondsDecimalDigits: 0 });
}

/** How long ago `at` was, as "3m 12s ago". */
export function ago(at: number, now: number): string {
  return `${duration(now - at)} ago`;
}

/** A sample value in its unit; `—` when unknown. `*.reachable` reads as yes/no. */
export function formatValue(metric: string, value: number | null, unit: string): string {
  if (value === null) return '—';
  if (metric.endsWith('.reachable')) return value >= 1 ? 'yes' : 'no';
  switch (unit) {
    case '%':
      return percent(value);
    case 's':
      return value < 1 ? `${trimNumber(value)}s` : duration(value * 1000);
    case 'bytes':
      return bytes(value);
    case '/s':
      return `${trimNumber(value)}/s`;
    case 'h':
      // The backup-age probe reports a source that was never backed up as 999 999 h.
      return value >= 999_999 ? 'none yet' : `${trimNumber(value)} h`;
    case 'd':
      // Likewise a database that was never drilled.
      return value >= 999_999 ? 'none yet' : `${trimNumber(value)} d`;
    default:
      return trimNumber(value);
  }
}

/** The limits of a rule as "≥70% ≥85%" (warn then crit; one value when they are equal). */
export function formatLimits(rule: Pick<Rule, 'metric' | 'warn' | 'crit' | 'direction'>, unit: string, ascii = false): string {
  if (rule.metric.endsWith('.reachable')) return 'must answer';
  const op = rule.direction === 'below' ? (ascii ? '<=' : '≤') : ascii ? '>=' : '≥';
  const one = (v: number) => `${op}${unit === '%' ? `${trimNumber(v)}%` : formatValue(rule.metric, v, unit)}`;
  return rule.warn === rule.crit ? one(rule.crit) : `${one(rule.warn)} ${one(rule.crit)}`;
}

/** Local wall-clock time "HH:MM:SS" for tables (dates only when not today). */
export function clock(at: number, now: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return new Date(now).toDateString() === d.toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Truncates to `width` columns with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Whole numbers as they are; others with one decimal from 10 up and three significant digits below. */
function trimNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Number(value.toPrecision(3)));
}
