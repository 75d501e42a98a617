// The view tabs: number, title, and the worst level of the view's target as a symbol, so a red
// view is visible from anywhere. The active tab is bracketed and inverse (reads without colour).
import { Box, Text } from 'ink';
import { memo } from 'react';
import { worstLevel } from '../engine/thresholds.js';
import { selectTargetLevel } from '../state/store.js';
import { VIEWS, VIEW_TITLES, viewKey, type ViewId } from './keymap.js';
import { useOps } from './store-context.js';
import { levelColor, levelSymbol } from './theme.js';

const VIEW_TARGET: Partial<Record<ViewId, string>> = {
  host: 'host',
  containers: 'docker',
  postgres: 'postgres',
  redis: 'redis',
  backups: 'backup',
  endpoints: 'http',
};
/** Views whose tab shows the worst of a second target too. */
const VIEW_TARGET_2: Partial<Record<ViewId, string>> = { endpoints: 'certificates' };

function TabLevel({ target, also }: { target: string; also?: string | undefined }) {
  const level = useOps((s) => worstLevel([selectTargetLevel(s, target), also ? selectTargetLevel(s, also) : 'OK']));
  if (level === 'OK') return null;
  const color = levelColor(level);
  return <Text {...(color ? { color } : {})}>{` ${levelSymbol(level)}`}</Text>;
}

// Inactive tabs in a narrow terminal: ten views must fit in 80 columns.
const SHORT: Partial<Record<ViewId, string>> = {
  overview: 'Over',
  timeline: 'Time',
  backups: 'Bkp',
  services: 'Svc',
  endpoints: 'Endp',
};

function Tab({ view, active, compact, narrow }: { view: ViewId; active: boolean; compact: boolean; narrow: boolean }) {
  const title =
    compact && view === 'containers'
      ? 'Docker'
      : compact && view === 'postgres'
        ? 'PG'
        : narrow && !active
          ? (SHORT[view] ?? VIEW_TITLES[view])
          : VIEW_TITLES[view];
  const target = VIEW_TARGET[view];
  const key = viewKey(view);
  return (
    <Text>
      <Text inverse={active} bold={active}>
        {active ? `[${key} ${title}]` : `${key} ${title}`}
      </Text>
      {target ? <TabLevel target={target} also={VIEW_TARGET_2[view]} /> : null}
    </Text>
  );
}

/** Views past the first ten get a tab only when they have something to show (or are active). */
const OPTIONAL_TAB: Partial<Record<ViewId, readonly string[]>> = { endpoints: ['http', 'certificates'] };

/** One line of view tabs. */
export const Tabs = memo(function Tabs({ view, width }: { view: ViewId; width: number }) {
  const watched = useOps((s) => (OPTIONAL_TAB.endpoints ?? []).some((t) => s.targets[t] !== undefined));
  const shown = VIEWS.filter((v) => v === view || OPTIONAL_TAB[v] === undefined || (v === 'endpoints' && watched));
  return (
    <Box width={width} height={1} gap={1} overflow="hidden">
      {shown.map((v) => (
        <Tab key={v} view={v} active={v === view} compact={width < 115} narrow={width < 100} />
      ))}
    </Box>
  );
});
