// The Timeline view: every level change, newest first, with its time, value and how long the
// new level lasted (or that it is still on).
import { Box, Text } from 'ink';
import { memo } from 'react';
import { clock, formatValue } from '../../present/format.js';
import type { Transition } from '../../engine/thresholds.js';
import { useClock } from '../clock.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { levelColor, levelLabel } from '../theme.js';
import { duration } from '../../present/format.js';
import { metricLabel, targetTitle } from './labels.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';

export interface TimelineRow {
  t: Transition;
  /** How long the level lasted in ms, or null while it is still the current level. */
  lastedMs: number | null;
}

/** Transitions newest first, each with the time until the next change of the same metric. */
export function timelineRows(transitions: readonly Transition[]): TimelineRow[] {
  const next = new Map<string, number>();
  const rows: TimelineRow[] = [];
  for (let i = transitions.length - 1; i >= 0; i--) {
    const t = transitions[i]!;
    const key = `${t.metric}|${t.instance}`;
    const end = next.get(key);
    rows.push({ t, lastedMs: end === undefined ? null : end - t.at });
    next.set(key, t.at);
  }
  return rows;
}

/** The Timeline view. */
export const TimelineView = memo(function TimelineView({ width, height, selected, report }: ViewProps) {
  const transitions = useOps((s) => s.transitions);
  const now = useClock().now();
  const rows = timelineRows(transitions);
  useNavReport(report, 'timeline', rows.length, 1, height - 2);
  const columns: Column<TimelineRow>[] = [
    { id: 'time', header: 'time', min: 8, max: 19, value: ({ t }) => clock(t.at, now) },
    {
      id: 'to',
      header: 'level',
      min: 10,
      max: 10,
      value: ({ t }) => levelLabel(t.to),
      color: ({ t }) => levelColor(t.to),
    },
    { id: 'from', header: 'was', min: 7, max: 8, drop: 2, value: ({ t }) => t.from ?? 'new' },
    { id: 'target', header: 'target', min: 6, max: 10, drop: 3, value: ({ t }) => targetTitle(t.target) },
    { id: 'metric', header: 'metric', min: 10, max: 40, flex: 1, value: ({ t }) => metricLabel(t.metric, t.instance) },
    {
      id: 'value',
      header: 'value',
      min: 8,
      max: 12,
      align: 'right',
      value: ({ t }) => formatValue(t.metric, t.value, t.unit),
    },
    {
      id: 'lasted',
      header: 'lasted',
      min: 8,
      max: 12,
      align: 'right',
      value: ({ lastedMs }) => (lastedMs === null ? 'ongoing' : duration(lastedMs)),
    },
  ];
  const title = `${rows.length} level change${rows.length === 1 ? '' : 's'} since start, newest first`;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">{title}</Text>
      <Table
        columns={columns}
        rows={rows}
        width={width}
        height={height - 1}
        selected={clampRow(selected, rows.length)}
        rowKey={({ t }, i) => `${t.at}|${t.metric}|${t.instance}|${i}`}
        empty="no level changes yet"
      />
    </Box>
  );
});
