// The Containers view: one sortable, filterable table of every container; Enter shows the
// selected container's details below it. It lends the selected container to the start, stop,
// restart and logs handlers (commands/action-handlers.ts), which run plans in the task flow.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { classify, type Level } from '../../engine/thresholds.js';
import type { DockerContainer, DockerReading } from '../../probes/index.js';
import { useViewTargets } from '../commands/view-targets.js';
import { keysFor } from '../key-hints.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { levelColor } from '../theme.js';
import { bytes, duration, fromSeconds, pct } from '../../present/format.js';
import { SORT_COLUMNS } from '../view-state.js';
import { sortBy } from './section.js';
import { readingOf, TargetStatus } from './target-status.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';
import { clockTime } from '../../util/text.js';
import { DetailBox } from './detail-box.js';

const SORT_KEYS: Record<string, (c: DockerContainer) => string | number | null> = {
  name: (c) => c.name,
  state: (c) => c.state,
  // Problems first when ascending: unhealthy, starting, none, healthy.
  health: (c) => ['unhealthy', 'starting', 'none', 'healthy'].indexOf(c.health),
  restarts: (c) => c.restartCount,
  uptime: (c) => c.uptimeSeconds,
  cpu: (c) => c.cpuPercent,
  memory: (c) => c.memoryBytes,
};

/** Containers whose name, image, state or health contains `filter` (case-insensitive). */
export function filterContainers(list: readonly DockerContainer[], filter: string): DockerContainer[] {
  const f = filter.trim().toLowerCase();
  if (!f) return [...list];
  return list.filter((c) => [c.name, c.image, c.state, c.health].some((v) => v.toLowerCase().includes(f)));
}

const DETAIL_LINES = 5;

/** "12 containers · 10 running · 2 stopped · 0 unhealthy". */
function countsText(n: DockerReading['counts']): string {
  return `${n.total} containers · ${n.running} running · ${n.stopped} stopped · ${n.unhealthy} unhealthy`;
}

// The chosen container's detail lines, under its name.
function statusLine(c: DockerContainer): string {
  return `status: ${c.status} · started ${c.startedAt ? new Date(c.startedAt).toISOString() : '—'}`;
}

function usageLine(c: DockerContainer): string {
  const memory = `memory ${bytes(c.memoryBytes)} of ${bytes(c.memoryLimitBytes)} (${pct(c.memoryPercent)})`;
  return `${memory} · cpu ${pct(c.cpuPercent)} · restarts ${c.restartCount ?? '—'}`;
}

function sampledLine(c: DockerContainer): string {
  return `stats sampled ${c.statsAt ? clockTime(c.statsAt) : 'not yet'} · ${keysFor('back')} closes`;
}

/** The Containers view. */
export const ContainersView = memo(function ContainersView({
  width,
  height,
  selected,
  sort,
  filter,
  detail,
  report,
}: ViewProps) {
  const target = useOps((s) => s.targets.docker);
  const restartRule = useOps((s) => s.rules['docker.restarts']);
  const healthRule = useOps((s) => s.rules['docker.unhealthy']);
  const r = readingOf<DockerReading>(target);
  const sortCol = SORT_COLUMNS.containers?.[sort.column] ?? SORT_COLUMNS.containers![0]!;
  const rows = sortBy(filterContainers(r?.containers ?? [], filter), SORT_KEYS[sortCol.id]!, sort.desc);
  const tableH = Math.max(3, height - 2 - (detail ? DETAIL_LINES : 0));
  useNavReport(report, 'containers', rows.length, 1, tableH - 1);
  const sel = clampRow(selected, rows.length);
  const restartLevel = (c: DockerContainer): Level | null =>
    restartRule?.enabled && c.restartCount !== null ? classify(restartRule, c.restartCount) : null;
  const healthLevel = (c: DockerContainer): Level | null =>
    healthRule?.enabled && c.health !== 'none' ? classify(healthRule, c.health === 'unhealthy' ? 1 : 0) : null;
  const color = (l: Level | null) => (l && l !== 'OK' ? levelColor(l) : undefined);
  const columns: Column<DockerContainer>[] = [
    { id: 'name', header: 'name', min: 10, max: 40, flex: 2, value: (c) => c.name },
    {
      id: 'state',
      header: 'state',
      min: 7,
      max: 10,
      value: (c) => c.state,
      color: (c) => (c.state === 'running' ? undefined : color('WARNING')),
    },
    {
      id: 'health',
      header: 'health',
      min: 9,
      max: 11,
      value: (c) => (c.health === 'unhealthy' ? '✗ unhealthy' : c.health === 'healthy' ? '✓ healthy' : c.health),
      color: (c) => color(healthLevel(c)),
    },
    {
      id: 'restarts',
      header: 'restarts',
      min: 8,
      align: 'right',
      value: (c) =>
        c.restartCount === null
          ? '—'
          : `${restartLevel(c) === 'OK' || restartLevel(c) === null ? '' : '! '}${c.restartCount}`,
      color: (c) => color(restartLevel(c)),
    },
    {
      id: 'uptime',
      header: 'uptime',
      min: 7,
      align: 'right',
      value: (c) => (c.state === 'running' ? duration(fromSeconds(c.uptimeSeconds)) : '—'),
    },
    { id: 'cpu', header: 'cpu', min: 7, align: 'right', value: (c) => pct(c.cpuPercent) },
    { id: 'mem', header: 'memory', min: 8, align: 'right', value: (c) => bytes(c.memoryBytes) },
    { id: 'image', header: 'image', min: 10, max: 50, flex: 1, drop: 1, value: (c) => c.image },
    { id: 'status', header: 'status', min: 12, max: 40, flex: 1, drop: 2, value: (c) => c.status },
  ];
  const chosen = sel >= 0 ? rows[sel] : undefined;
  useViewTargets('containers', { container: (at) => rows[clampRow(at, rows.length)] });
  const shown = filter ? ` · filter "${filter}": ${rows.length} shown` : '';
  const summary = r ? `${countsText(r.counts)} · sorted by ${sortCol.label} ${sort.desc ? '↓' : '↑'}${shown}` : '';
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <TargetStatus target={target} name="Docker" hint="set targets.docker" />
      <Text wrap="truncate">{summary}</Text>
      <Table
        columns={columns}
        rows={rows}
        width={width}
        height={tableH}
        selected={sel}
        rowKey={(c) => c.id}
        empty={
          filter
            ? `no container matches "${filter}" (${keysFor('input.cancel')} in the filter clears it)`
            : 'no containers'
        }
      />
      {detail && chosen ? (
        <DetailBox height={DETAIL_LINES}>
          <Text wrap="truncate" bold>{`${chosen.name}  ${chosen.id}  ${chosen.image}`}</Text>
          <Text wrap="truncate">{statusLine(chosen)}</Text>
          <Text wrap="truncate">{usageLine(chosen)}</Text>
          <Text wrap="truncate">{sampledLine(chosen)}</Text>
        </DetailBox>
      ) : null}
    </Box>
  );
});
