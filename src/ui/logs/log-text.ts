// Pure display of the Logs view: one log line as spans (ERROR/WARN marked with a symbol, filter
// matches in reverse video, so both read without colour; escape sequences from the program are
// removed, never sent to the terminal), the header line, and the scroll window.
import type { ViewLine } from '../../logs/buffer.js';
import type { LogFilter, MatchRange } from '../../logs/filter.js';
import type { TailStats } from '../../logs/tail.js';
import type { Span } from '../painted-line.js';
import { groupDigits } from '../../util/text.js';

// CSI and OSC sequences, and lone two-character escapes.
// eslint-disable-next-line no-control-regex -- removing terminal escapes is the point
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;
// eslint-disable-next-line no-control-regex -- control characters become blanks (same length)
const CONTROLS = /[\x00-\x1f\x7f]/g;

/** A log line made safe for the screen, with the filter's match ranges on the safe text. */
export function safeLine(
  line: Pick<ViewLine, 'text' | 'ranges'>,
  filter: LogFilter | null,
): { text: string; ranges: readonly MatchRange[] } {
  const noEscapes = line.text.includes('\x1b') ? line.text.replace(ESCAPES, '') : line.text;
  const text = noEscapes.replace(CONTROLS, ' ');
  if (noEscapes === line.text) return { text, ranges: line.ranges ?? [] };
  return { text, ranges: filter ? filter.ranges(text) : [] };
}

const MARKS = {
  error: { text: '✗ ', color: 'red' },
  warn: { text: '! ', color: 'yellow' },
  info: { text: '  ', color: undefined },
} as const;

/** The spans of one line: its level mark, then the text with matches highlighted. */
export function lineSpans(line: ViewLine, filter: LogFilter | null): Span[] {
  const mark = MARKS[line.level];
  const spans: Span[] = [{ text: mark.text, color: mark.color, bold: line.level !== 'info' }];
  const { text, ranges } = safeLine(line, filter);
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end <= start) continue;
    if (start > at) spans.push({ text: text.slice(at, start) });
    spans.push({ text: text.slice(start, end), inverse: true, bold: true });
    at = end;
  }
  if (at < text.length) spans.push({ text: text.slice(at) });
  return spans;
}

export interface HeaderInfo {
  source: string;
  /** What the source follows ("file /var/log/app.log"), shown last. */
  detail: string;
  paused: boolean;
  stats: TailStats | null;
  filter: string;
  shown: number;
  ended: { reason: string; error: boolean } | undefined;
  status: string;
}

const n = groupDigits;

/** The header: FOLLOWING/PAUSED, the source, errors per minute, counts, the filter, the source's state. */
export function headerSpans(h: HeaderInfo): Span[] {
  const state: Span = h.ended
    ? { text: ' ■ ENDED ', inverse: true, bold: true }
    : h.paused
      ? { text: ' ‖ PAUSED ', inverse: true, bold: true }
      : { text: ' ● FOLLOWING ', bold: true };
  const s = h.stats;
  const spans: Span[] = [state, { text: ` ${h.source}`, bold: true }];
  if (s) {
    spans.push(
      { text: ' · ' },
      {
        text: `${n(s.errorsPerMinute)} errors/min`,
        bold: s.errorsPerMinute > 0,
        color: s.errorsPerMinute > 0 ? 'red' : undefined,
      },
    );
    const warnings = s.warnings > 0 ? ` · ${n(s.warnings)} warnings` : '';
    const dropped = s.dropped > 0 ? ` · ${n(s.dropped)} out of buffer` : '';
    spans.push({ text: ` · ${n(s.received)} lines${warnings}${dropped}` });
  }
  if (h.filter) spans.push({ text: ` · filter ${h.filter}: ${n(h.shown)} shown`, bold: true });
  const note = h.ended ? h.ended.reason : h.status;
  if (note) spans.push({ text: ` · ${note}`, dim: !h.ended?.error, color: h.ended?.error ? 'red' : undefined });
  if (h.detail) spans.push({ text: ` · ${h.detail}`, dim: true });
  return spans;
}

/**
 * The window of `rows` lines to show from `lines` (oldest first) scrolled `offset` lines up; the
 * offset clamped to what exists.
 */
export function scrollWindow<T>(
  lines: readonly T[],
  rows: number,
  offset: number,
): { shown: T[]; offset: number; above: number } {
  const max = Math.max(0, lines.length - rows);
  const off = Math.max(0, Math.min(offset, max));
  const end = lines.length - off;
  const start = Math.max(0, end - rows);
  return { shown: lines.slice(start, end), offset: off, above: start };
}
