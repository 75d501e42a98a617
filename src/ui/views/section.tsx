// A titled block inside a view; the focused one is marked with "▸" and inverse (no colour needed).
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { compareText } from '../../util/text.js';

/** A section title line plus its content. */
export function Section({
  title,
  focused,
  width,
  height,
  note,
  children,
}: {
  title: string;
  focused: boolean;
  width: number;
  height: number;
  note?: string;
  children: ReactNode;
}) {
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">
        <Text bold inverse={focused}>
          {focused ? `▸ ${title} ` : `  ${title} `}
        </Text>
        {note ? ` ${note}` : ''}
      </Text>
      {children}
    </Box>
  );
}

/** Sorts a copy of `rows` by a key function; nulls last whatever the direction. */
export function sortBy<T>(rows: readonly T[], key: (row: T) => string | number | null, desc: boolean): T[] {
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
    return desc ? -c : c;
  });
}
