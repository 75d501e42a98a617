// Short value formats for tight panels: "61 %", "1.2 GB", "3m", "3m ago". Missing values read "—".
import prettyBytes from 'pretty-bytes';
import prettyMs from 'pretty-ms';
import { groupDigits } from '../util/text.js';

export const NONE = '—';

/** A percentage with a precision that suits a glance: "7.5 %", "61 %". */
export function pct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${Math.abs(value) < 10 && value !== 0 ? value.toFixed(1) : Math.round(value)} %`;
}

/** Bytes in decimal units, three significant digits: "1.23 GB" (no options: pretty-bytes then needs no Intl). */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return prettyBytes(value);
}

/** Bytes per second: "1.2 MB/s". */
export function rate(value: number | null | undefined): string {
  return value === null || value === undefined ? NONE : `${bytes(value)}/s`;
}

/** A duration in seconds, compact: "3m", "2h", "4d". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  if (seconds < 1) return `${Math.max(0, Math.round(seconds * 1000))}ms`;
  return prettyMs(Math.round(seconds) * 1000, { compact: true });
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

/** A plain count with thousands separators. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? NONE : groupDigits(value);
}

/** A metric value with its unit as the alerts show it: "91 %", "12 s", "3 count" → "3". */
export function metricValue(value: number | null, unit: string): string {
  if (value === null) return 'no data';
  if (unit === '%') return pct(value);
  if (unit === 's') return duration(value);
  if (unit === '/s') return `${Math.round(value * 10) / 10}/s`;
  if (unit === 'h') return `${Math.round(value * 10) / 10} h`;
  return count(value);
}
