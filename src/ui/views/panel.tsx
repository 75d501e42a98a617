// A bordered overview panel: title with the target's level, then as many lines as fit. The
// focused panel has a double border, so focus reads without colour.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { selectTargetLevel } from '../../state/store.js';
import { useOps } from '../store-context.js';
import { levelColor, levelLabel } from '../theme.js';
import { dataState } from './target-status.js';

export interface PanelProps {
  title: string;
  target: string;
  width: number;
  height: number;
  focused: boolean;
  /** Extra text after the title ("PostgreSQL 16.4 · up 3d"). */
  subtitle?: string;
  children: ReactNode;
}

/** A panel box for one target. */
export function Panel({ title, target, width, height, focused, subtitle, children }: PanelProps) {
  const level = useOps((s) => selectTargetLevel(s, target));
  const state = useOps((s) => dataState(s.targets[target]));
  const configured = state !== 'not_configured';
  const color = levelColor(level);
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle={focused ? 'double' : 'round'}
      paddingX={1}
      overflowY="hidden"
    >
      <Text wrap="truncate">
        <Text bold underline={focused}>
          {title}
        </Text>
        {configured ? (
          <Text bold {...(color ? { color } : {})}>
            {`  ${levelLabel(level)}  `}
          </Text>
        ) : null}
        {state === 'down' ? (
          <Text bold inverse>
            {' STALE '}
          </Text>
        ) : null}
        {subtitle ? `  ${subtitle}` : ''}
      </Text>
      {children}
    </Box>
  );
}
