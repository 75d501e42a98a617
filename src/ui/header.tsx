// The header line: host, worst level overall, READ-ONLY or ARMED badge, and a clock that ticks on its
// own (only the clock re-renders each second).
import { Box, Text } from 'ink';
import { memo } from 'react';
import { selectWorstLevel } from '../state/store.js';
import { GuardBadge } from './actions/action-lines.js';
import { useTimeText } from './clock.js';
import { useOps } from './store-context.js';
import { levelColor, levelLabel, uiColor } from './theme.js';
import { clockTime } from '../util/text.js';

function ClockText() {
  const text = useTimeText(clockTime);
  return <Text>{text}</Text>;
}

function WorstLevel() {
  const level = useOps(selectWorstLevel);
  const color = levelColor(level);
  return (
    <Text bold {...(color ? { color } : {})}>
      {levelLabel(level)}
    </Text>
  );
}

/** Cells kept free at the right of the header for the clock ("HH:MM:SS" and a space). */
export const CLOCK_WIDTH = 9;

/** The top line of the console; `clock` false leaves the clock's cells empty for the terminal writer to fill. */
export const Header = memo(function Header({
  hostname,
  width,
  clock = true,
}: {
  hostname: string;
  width: number;
  clock?: boolean;
}) {
  const accent = uiColor('accent');
  return (
    <Box width={width} height={1} justifyContent="space-between">
      <Box gap={2} flexShrink={1} overflow="hidden">
        <Text bold wrap="truncate" {...(accent ? { color: accent } : {})}>
          {`opsdeck · ${hostname}`}
        </Text>
        <WorstLevel />
        <GuardBadge />
      </Box>
      <Box flexShrink={0} marginLeft={1} width={CLOCK_WIDTH - 1}>
        {clock ? <ClockText /> : null}
      </Box>
    </Box>
  );
});
