// Draws a panel's content: a title, fixed head lines, a body scrolled by the operator, and fixed
// foot lines (the question, the sentence about the database) that are never scrolled away.
// Lines are painted (see painted-line.tsx): progress and output never repeat, and must not grow
// Ink's text cache for the life of the console.
import { Box } from 'ink';
import { PaintedLine } from '../painted-line.js';
import { levelColor, uiColor } from '../theme.js';
import type { PanelLine, Tone } from './panel-lines.js';

export interface PanelContent {
  title: string;
  head: PanelLine[];
  body: PanelLine[];
  foot: PanelLine[];
}

/** Lines the body may scroll by in a panel of `height` lines. */
export function maxScroll(c: PanelContent, height: number): number {
  return Math.max(0, c.body.length - bodyRoom(c, height));
}

function bodyRoom(c: PanelContent, height: number): number {
  return Math.max(1, height - 1 - c.head.length - c.foot.length);
}

function toneColor(tone: Tone | undefined): string | undefined {
  if (tone === 'ok') return levelColor('OK');
  if (tone === 'bad') return levelColor('CRITICAL');
  if (tone === 'warn') return levelColor('WARNING');
  if (tone === 'muted') return uiColor('muted');
  if (tone === 'accent') return uiColor('accent');
  return undefined;
}

function Row({ line, width }: { line: PanelLine; width: number }) {
  const text = { text: line.text, color: toneColor(line.tone), bold: line.bold ?? false };
  const lead = line.lead;
  return (
    <PaintedLine
      spans={lead ? [{ text: lead.text, color: toneColor(lead.tone), bold: lead.bold ?? false }, text] : [text]}
      width={width}
    />
  );
}

/** The panel in `width`×`height`, its body scrolled by `scroll` lines (clamped). */
export function Panel({
  content,
  width,
  height,
  scroll,
}: {
  content: PanelContent;
  width: number;
  height: number;
  scroll: number;
}) {
  const room = bodyRoom(content, height);
  const start = Math.max(0, Math.min(scroll, content.body.length - room));
  const shown = content.body.slice(start, start + room);
  const up = start > 0;
  const down = start + room < content.body.length;
  // First on the line, so a long title never cuts it off.
  const mark = up && down ? '↕' : up ? '↑' : down ? '↓' : ' ';
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <PaintedLine spans={[{ text: `${mark}${content.title} `, bold: true, inverse: true }]} width={width} />
      {content.head.map((l, i) => (
        <Row key={`h${i}`} line={l} width={width} />
      ))}
      <Box flexDirection="column" height={room} overflowY="hidden">
        {shown.map((l, i) => (
          <Row key={`b${start + i}`} line={l} width={width} />
        ))}
      </Box>
      {content.foot.map((l, i) => (
        <Row key={`f${i}`} line={l} width={width} />
      ))}
    </Box>
  );
}
