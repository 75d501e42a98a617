// A line for text that never repeats (log lines, live counters, command output). Ink measures
// every distinct <Text> once and keeps the size for the life of the process (see line.tsx); a log
// follower shows hundreds of new lines a second, so that cache would grow without end. Here Ink
// lays out and measures a blank of the same width (one cache entry per width), and a Transform
// paints the real, pre-fitted text into those cells at output time.
import { Text, Transform } from 'ink';
import { memo } from 'react';
import { colorEnabled } from './theme.js';
import { displayWidth, truncate } from './text.js';

/** A piece of a painted line with its style. */
export interface Span {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

const FG: Record<string, number> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  grey: 90,
};

function sgr(span: Span, color: boolean): [string, string] {
  const codes: number[] = [];
  if (span.bold) codes.push(1);
  if (span.dim) codes.push(2);
  if (span.inverse) codes.push(7);
  const fg = color && span.color ? FG[span.color] : undefined;
  if (fg !== undefined) codes.push(fg);
  return codes.length === 0 ? ['', ''] : [`\x1b[${codes.join(';')}m`, '\x1b[0m'];
}

/** The spans cut to exactly `width` cells (the last one ending in "…", blanks after), as one string with SGR styles. */
export function paintSpans(spans: readonly Span[], width: number, color = colorEnabled()): string {
  let out = '';
  let used = 0;
  for (const s of spans) {
    if (s.text === '') continue;
    const w = displayWidth(s.text);
    const text = used + w <= width ? s.text : truncate(s.text, width - used);
    if (text === '') break;
    const [on, off] = sgr(s, color);
    out += `${on}${text}${off}`;
    used += displayWidth(text);
    if (used >= width) break;
  }
  return used < width ? out + ' '.repeat(width - used) : out;
}

/** One line of spans, exactly `width` cells wide, at a constant cost to Ink's caches. */
export const PaintedLine = memo(function PaintedLine({ spans, width }: { spans: readonly Span[]; width: number }) {
  const w = Math.max(0, width);
  if (w === 0) return null;
  const painted = paintSpans(spans, w);
  return (
    <Transform transform={() => painted}>
      <Text wrap="truncate">{' '.repeat(w)}</Text>
    </Transform>
  );
});
