// The `?` overlay: every command from the keymap, grouped by where it applies.
import { Box, Text } from 'ink';
import { memo } from 'react';
import {
  COMMANDS,
  keysLabel,
  MODE_TITLES,
  scopesOf,
  VIEW_TITLES,
  type Command,
  type Mode,
  type Scope,
  type ViewId,
} from './keymap.js';
import { fit } from './text.js';

function scopeTitle(scope: Scope): string {
  if (scope === 'global') return 'Everywhere';
  if (scope === 'help') return 'In this help';
  if (scope === 'input') return 'While typing (palette, filter)';
  return MODE_TITLES[scope as Mode] ?? VIEW_TITLES[scope as ViewId];
}

/** Lines of the help text: group titles and "keys  description" rows. */
export function helpLines(
  readOnly: boolean,
  commands: readonly Command[] = COMMANDS,
): { title: boolean; text: string; keys?: string }[] {
  const groups = new Map<string, Command[]>();
  for (const c of commands) {
    if (readOnly && c.dangerous) continue;
    const scopes = scopesOf(c);
    const title = scopes.includes('global') ? scopeTitle('global') : scopes.map(scopeTitle).join(', ');
    groups.set(title, [...(groups.get(title) ?? []), c]);
  }
  const lines: { title: boolean; text: string; keys?: string }[] = [];
  for (const [title, list] of groups) {
    lines.push({ title: true, text: title });
    for (const c of list)
      lines.push({ title: false, keys: keysLabel(c), text: c.description + (c.dangerous ? ' (changes state)' : '') });
  }
  return lines;
}

/** The help overlay, scrolled by `scroll` lines. */
export const HelpOverlay = memo(function HelpOverlay({
  width,
  height,
  scroll,
  readOnly,
}: {
  width: number;
  height: number;
  scroll: number;
  readOnly: boolean;
}) {
  const lines = helpLines(readOnly);
  const bodyHeight = Math.max(1, height - 2);
  const start = Math.max(0, Math.min(scroll, lines.length - bodyHeight));
  const keyWidth = 16;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      {lines.slice(start, start + bodyHeight).map((l, i) =>
        l.title ? (
          <Text key={`t${start + i}`} bold underline wrap="truncate">
            {l.text}
          </Text>
        ) : (
          <Text key={`c${start + i}`} wrap="truncate">
            <Text bold>{fit(l.keys ?? '', keyWidth)}</Text>
            {` ${l.text}`}
          </Text>
        ),
      )}
    </Box>
  );
});
