// One metric on one line: label, value, level (symbol + word), a sparkline of recent history
// and the limits it is judged against. It subscribes to its own alert and history only.
import { memo } from 'react';
import { formatLimits, formatValue } from '../../present/format.js';
import type { Level } from '../../engine/thresholds.js';
import { metricKey } from '../../state/store.js';
import { Line, sparkSegments, type Segment } from '../line.js';
import { sparkline } from '../sparkline.js';
import { useOps } from '../store-context.js';
import { displayWidth, fit } from '../text.js';
import { levelColor, levelLabel } from '../theme.js';

export interface MetricRowProps {
  label: string;
  metric: string;
  instance?: string;
  width: number;
  /** Value text to show instead of the sample (e.g. "12/100"). */
  text?: string;
  /** Draw a sparkline scaled to this range. */
  spark?: { min: number; max: number };
  labelWidth?: number;
}

const EMPTY: (number | null)[] = [];

const LEVEL_WIDTH = 9;
const LIMITS_WIDTH = 13;
/** Yes/no metrics: their limits ("≥1") say nothing to an operator. */
const FLAG_METRICS = new Set(['redis.rdbLastSaveFailed', 'docker.unhealthy']);

/** A metric line for panels and views: label, value, level, limits, then the sparkline. */
export const MetricRow = memo(function MetricRow({
  label,
  metric,
  instance = '',
  width,
  text,
  spark,
  labelWidth = 10,
}: MetricRowProps) {
  const key = metricKey(metric, instance);
  const alert = useOps((s) => s.alerts[key]);
  const rule = useOps((s) => s.rules[metric]);
  const values = useOps((s) => s.history[key]?.values ?? EMPTY);
  const unit = alert?.unit ?? '';
  const level: Level | null = alert ? alert.level : null;
  const valueText = text ?? (alert ? formatValue(metric, alert.value, unit) : '—');
  const levelText = level ? levelLabel(level, true) : '';
  const limits =
    rule?.enabled && !FLAG_METRICS.has(metric)
      ? formatLimits(rule, unit || (metric.endsWith('Seconds') ? 's' : '%'))
      : '';
  const valueWidth = Math.max(8, displayWidth(valueText));
  const fixed = labelWidth + 1 + valueWidth + 1 + LEVEL_WIDTH;
  const limitsWidth = Math.max(LIMITS_WIDTH, displayWidth(limits) + 1);
  const showLimits = limits !== '' && width - fixed >= limitsWidth + (spark ? 8 : 0);
  const sparkWidth = spark ? Math.max(0, width - fixed - (showLimits ? limitsWidth : 0) - 1) : 0;
  const color = level ? levelColor(level) : undefined;
  const segments: Segment[] = [
    { text: `${fit(label, labelWidth)} ` },
    { text: fit(valueText, valueWidth, 'right'), bold: true, color },
    { text: ` ${fit(levelText, LEVEL_WIDTH)}`, color },
    { text: showLimits ? fit(limits, limitsWidth) : '' },
    ...(sparkWidth > 0
      ? [{ text: ' ' }, ...sparkSegments(sparkline(values, Math.min(sparkWidth, 120), spark!.min, spark!.max))]
      : []),
  ];
  return <Line segments={segments} width={width} />;
});
