// The overview's alerts strip: the latest level changes, newest first, each with its age
// ("✗ CRITICAL cpu 91.0% — 3m ago").
import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatValue } from '../../present/format.js';
import type { Transition } from '../../engine/thresholds.js';
import { isJudged, type OpsState } from '../../state/store.js';
import { useOps } from '../store-context.js';
import { levelColor, levelLabel, uiColor } from '../theme.js';
import { useAge } from './age.js';
import { metricLabel } from './labels.js';

/** Number of metrics not OK on judged targets (a primitive: safe to select). */
export function selectProblemCount(s: Pick<OpsState, 'alerts' | 'targets'>): number {
  let n = 0;
  for (const a of Object.values(s.alerts)) if (a.level !== 'OK' && isJudged(s, a.target)) n++;
  return n;
}

/** The text of one level change, without its age. */
export function transitionText(t: Transition): string {
  const value = t.value === null ? 'no data' : formatValue(t.metric, t.value, t.unit);
  return `${levelLabel(t.to)} ${metricLabel(t.metric, t.instance)} ${value}`;
}

function ChangeLine({ t }: { t: Transition }) {
  const age = useAge(t.at);
  const color = levelColor(t.to);
  return (
    <Text wrap="truncate">
      <Text {...(color ? { color } : {})}>{transitionText(t)}</Text>
      {` — ${age}${t.from ? ` (was ${t.from})` : ''}`}
    </Text>
  );
}

/** Latest level changes in `height` lines (title included). */
export const AlertsStrip = memo(function AlertsStrip({ width, height }: { width: number; height: number }) {
  const transitions = useOps((s) => s.transitions);
  const problems = useOps(selectProblemCount);
  const shown = transitions.slice(-Math.max(0, height - 1)).reverse();
  const muted = uiColor('muted');
  const status = problems === 0 ? 'nothing wrong right now' : `${problems} metric${problems === 1 ? '' : 's'} not OK`;
  return (
    <Box flexDirection="column" width={width} height={height} paddingX={1} overflowY="hidden">
      <Text bold wrap="truncate">
        {`Alerts · ${status} · latest changes (6 for the full timeline)`}
      </Text>
      {shown.length === 0 ? <Text {...(muted ? { color: muted } : {})}>no level changes yet</Text> : null}
      {shown.map((t, i) => (
        <ChangeLine key={`${t.at}|${t.metric}|${t.instance}|${i}`} t={t} />
      ))}
    </Box>
  );
});
