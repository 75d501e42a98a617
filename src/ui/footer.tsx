// The footer: key hints generated from the keymap for the current view and mode, cut to fit.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { footerHints, type Mode, type ViewId } from './keymap.js';
import { displayWidth } from './text.js';
import { uiColor } from './theme.js';

/** The hints that fit in `width`, as "key label" pairs separated by two spaces. */
export function fitHints(hints: { keys: string; label: string }[], width: number): string {
  let out = '';
  for (const h of hints) {
    const next = `${out ? `${out}  ` : ''}${h.keys} ${h.label}`;
    if (displayWidth(next) > width) break;
    out = next;
  }
  return out;
}

/** The bottom line: hints, or the filter being typed. */
export const Footer = memo(function Footer({
  view,
  mode,
  readOnly,
  width,
  filter,
  filtering,
}: {
  view: ViewId;
  mode: Mode | null;
  readOnly: boolean;
  width: number;
  filter: string;
  filtering: boolean;
}) {
  const muted = uiColor('muted');
  const hints = footerHints(view, mode, readOnly);
  if (filtering) {
    const prompt = `/${filter}▏`;
    return (
      <Box width={width} height={1}>
        <Text bold>{prompt}</Text>
        <Text
          {...(muted ? { color: muted } : {})}
        >{`  ${fitHints(hints, Math.max(0, width - displayWidth(prompt) - 2))}`}</Text>
      </Box>
    );
  }
  const filterNote = filter && view === 'containers' ? `filter: ${filter}  ` : '';
  return (
    <Box width={width} height={1}>
      {filterNote ? <Text bold>{filterNote}</Text> : null}
      <Text {...(muted ? { color: muted } : {})}>{fitHints(hints, width - displayWidth(filterNote))}</Text>
    </Box>
  );
});
