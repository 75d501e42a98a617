// The `:` command palette: a query line and the commands that fuzzy-match it, best first.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { homeView, keysLabel, VIEW_TITLES } from './keymap.js';
import { windowStart } from './table-layout.js';
import { fit } from './text.js';
import { uiColor } from './theme.js';
import { paletteMatches } from './view-state.js';

/** The palette overlay for `query` with match `selected` highlighted. */
export const Palette = memo(function Palette({
  width,
  height,
  query,
  selected,
  readOnly,
}: {
  width: number;
  height: number;
  query: string;
  selected: number;
  readOnly: boolean;
}) {
  const matches = paletteMatches(query, readOnly);
  const listHeight = Math.max(1, height - 3);
  const start = windowStart(matches.length, selected, listHeight);
  const inner = Math.max(10, width - 4);
  const keyWidth = 12;
  const muted = uiColor('muted');
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      <Text bold wrap="truncate">{`: ${query}▏`}</Text>
      {matches.length === 0 ? <Text wrap="truncate">{`  no command matches "${query}"`}</Text> : null}
      {matches.slice(start, start + listHeight).map((c, i) => {
        const index = start + i;
        const home = homeView(c);
        const where = home ? ` (${VIEW_TITLES[home]})` : '';
        const isSel = index === selected;
        return (
          <Text key={c.id} inverse={isSel} wrap="truncate">
            {isSel ? '› ' : '  '}
            <Text bold>{fit(keysLabel(c), keyWidth)}</Text>
            {fit(` ${c.description}`, Math.max(0, inner - keyWidth - 2 - where.length))}
            <Text {...(muted && !isSel ? { color: muted } : {})}>{where}</Text>
          </Text>
        );
      })}
    </Box>
  );
});
