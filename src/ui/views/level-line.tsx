// A line with a level computed over every instance of a metric (all containers, all mounts).
import { Text } from 'ink';
import { memo } from 'react';
import { worstLevel, type Level } from '../../engine/thresholds.js';
import type { OpsState } from '../../state/store.js';
import { useOps } from '../store-context.js';
import { fit } from '../text.js';
import { levelColor, levelLabel } from '../theme.js';

/** The worst level over every instance of `metric`, or null when none is judged (a primitive: safe to select). */
export function selectMetricLevel(s: Pick<OpsState, 'alerts'>, metric: string): Level | null {
  const levels: Level[] = [];
  for (const a of Object.values(s.alerts)) if (a.metric === metric) levels.push(a.level);
  return levels.length === 0 ? null : worstLevel(levels);
}

/** "Label  text  ✓ OK" where the level is the worst over all instances of `metric`. */
export const LevelLine = memo(function LevelLine({
  label,
  text,
  metric,
  labelWidth = 10,
}: {
  label: string;
  text: string;
  metric: string;
  labelWidth?: number;
}) {
  const level = useOps((s) => selectMetricLevel(s, metric));
  const color = level ? levelColor(level) : undefined;
  return (
    <Text wrap="truncate">
      {fit(label, labelWidth)} <Text {...(color ? { color } : {})}>{level ? `${levelLabel(level, true)}  ` : ''}</Text>
      {text}
    </Text>
  );
});
