// A line of separately measured segments. Ink caches the size of every distinct text it ever
// measured, for the life of the process; a line that mixes a label, a live value and a
// sparkline into one text is a new cache entry on every sample (a slow leak in a console that
// runs for weeks). Kept as siblings, each segment has few distinct values: the cache stays bounded.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { displayWidth, truncate } from './text.js';

export interface Segment {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

/** The segments that fit in `width` cells, the last one cut with "…" (so Yoga never squeezes them). */
export function fitSegments(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const s of segments) {
    const w = displayWidth(s.text);
    if (used + w <= width) {
      out.push(s);
      used += w;
      continue;
    }
    if (width - used > 0) out.push({ ...s, text: truncate(s.text, width - used) });
    break;
  }
  return out;
}

/** Renders segments side by side on one line, cut at `width`. */
export const Line = memo(function Line({ segments, width }: { segments: readonly Segment[]; width?: number }) {
  const shown = width === undefined ? segments : fitSegments(segments, width);
  return (
    <Box height={1} {...(width !== undefined ? { width } : {})} overflowY="hidden" flexWrap="nowrap">
      {shown.map((s, i) =>
        s.text === '' ? null : (
          <Text
            key={i}
            wrap="truncate"
            bold={s.bold ?? false}
            inverse={s.inverse ?? false}
            dimColor={s.dim ?? false}
            {...(s.color ? { color: s.color } : {})}
          >
            {s.text}
          </Text>
        ),
      )}
    </Box>
  );
});

/** A sparkline string split into 4-cell pieces (at most 9⁴ distinct texts per piece). */
export function sparkSegments(spark: string, color?: string): Segment[] {
  const out: Segment[] = [];
  const chars = [...spark];
  for (let i = 0; i < chars.length; i += 4) out.push({ text: chars.slice(i, i + 4).join(''), color });
  return out;
}
