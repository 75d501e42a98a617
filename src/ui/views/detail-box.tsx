// The details of the selected row under a table (Enter opens them, Esc closes): a fixed number of
// lines below a rule, so the table above keeps its height while they show.
import { Box } from 'ink';
import type { ReactNode } from 'react';

/** A column of `height` lines under a horizontal rule. */
export function DetailBox({ height, children }: { height: number; children: ReactNode }) {
  return (
    <Box
      flexDirection="column"
      height={height}
      borderStyle="single"
      borderLeft={false}
      borderRight={false}
      borderBottom={false}
    >
      {children}
    </Box>
  );
}
