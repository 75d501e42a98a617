// The Host view: CPU and memory with history, then mounts, interfaces and top processes.
import { Box } from 'ink';
import { memo } from 'react';
import { classify } from '../../engine/thresholds.js';
import type { DiskUsage, HostReading, NetInterface, ProcessInfo } from '../../probes/index.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { levelColor, levelLabel } from '../theme.js';
import { bytes, pct, rate } from '../../present/format.js';
import { SORT_COLUMNS } from '../view-state.js';
import { Line } from '../line.js';
import { loadSegments } from './host-panel.js';
import { MetricRow } from './metric-row.js';
import { Section, sortBy } from './section.js';
import { dataState, readingOf, TargetStatus } from './target-status.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';

/** Top processes by CPU and by memory, merged (each process once). */
export function mergeProcesses(p: HostReading['processes']): ProcessInfo[] {
  if (!p) return [];
  const seen = new Map<number, ProcessInfo>();
  for (const x of [...p.byCpu, ...p.byMemory]) if (!seen.has(x.pid)) seen.set(x.pid, x);
  return [...seen.values()];
}

const PROCESS_KEYS: Record<string, (p: ProcessInfo) => string | number> = {
  cpu: (p) => p.cpuPercent,
  memory: (p) => p.memoryBytes,
  name: (p) => p.name,
  pid: (p) => p.pid,
};

/** The Host view. */
export const HostView = memo(function HostView({ width, height, focus, selected, sort, report }: ViewProps) {
  const target = useOps((s) => s.targets.host);
  const diskRule = useOps((s) => s.rules['host.disk']);
  const r = readingOf<HostReading>(target);
  const sortCol = SORT_COLUMNS.host?.[sort.column] ?? SORT_COLUMNS.host![0]!;
  const processes = sortBy(mergeProcesses(r?.processes ?? null), PROCESS_KEYS[sortCol.id]!, sort.desc);
  const disks = r?.disks ?? [];
  const nets = r?.network ?? [];
  const lists = [disks.length, nets.length, processes.length];
  const top = dataState(target) === 'fresh' ? 3 : 4;
  const mountsH = Math.min(disks.length + 2, Math.max(3, Math.floor((height - top) / 3)));
  const netsH = Math.min(nets.length + 2, Math.max(3, Math.floor((height - top) / 4)));
  const procH = Math.max(3, height - top - mountsH - netsH);
  useNavReport(report, 'host', lists[focus] ?? 0, 3, [mountsH, netsH, procH][focus]! - 2);
  const sel = (i: number) => (focus === i ? clampRow(selected, lists[i]!) : -1);

  const diskLevel = (d: DiskUsage) => (diskRule?.enabled ? classify(diskRule, d.percent) : null);
  const mountCols: Column<DiskUsage>[] = [
    { id: 'mount', header: 'mount', min: 6, max: 40, flex: 2, value: (d) => d.mount },
    { id: 'device', header: 'device', min: 6, max: 30, flex: 1, drop: 2, value: (d) => d.device },
    { id: 'fs', header: 'fs', min: 4, max: 8, drop: 3, value: (d) => d.fsType },
    { id: 'used', header: 'used', min: 7, align: 'right', value: (d) => bytes(d.usedBytes) },
    { id: 'size', header: 'size', min: 7, align: 'right', drop: 1, value: (d) => bytes(d.totalBytes) },
    { id: 'pct', header: 'use', min: 6, align: 'right', value: (d) => pct(d.percent) },
    {
      id: 'level',
      header: 'level',
      min: 6,
      max: 11,
      value: (d) => {
        const l = diskLevel(d);
        return l ? levelLabel(l) : '';
      },
      color: (d) => {
        const l = diskLevel(d);
        return l ? levelColor(l) : undefined;
      },
    },
  ];
  const netCols: Column<NetInterface>[] = [
    { id: 'name', header: 'interface', min: 6, max: 20, flex: 1, value: (n) => n.name },
    { id: 'rx', header: 'in', min: 9, align: 'right', value: (n) => rate(n.rxBytesPerSec) },
    { id: 'tx', header: 'out', min: 9, align: 'right', value: (n) => rate(n.txBytesPerSec) },
    {
      id: 'speed',
      header: 'link',
      min: 8,
      align: 'right',
      drop: 1,
      value: (n) => (n.speedMbps ? `${n.speedMbps} Mb/s` : '?'),
    },
    { id: 'pct', header: 'use', min: 6, align: 'right', value: (n) => pct(n.percent) },
  ];
  const procCols: Column<ProcessInfo>[] = [
    { id: 'pid', header: 'pid', min: 5, max: 8, align: 'right', value: (p) => String(p.pid) },
    { id: 'name', header: 'name', min: 8, max: 20, value: (p) => p.name },
    { id: 'cpu', header: 'cpu', min: 6, align: 'right', value: (p) => pct(p.cpuPercent) },
    { id: 'mem', header: 'memory', min: 8, align: 'right', value: (p) => bytes(p.memoryBytes) },
    { id: 'memp', header: 'mem%', min: 6, align: 'right', drop: 2, value: (p) => pct(p.memoryPercent) },
    { id: 'cmd', header: 'command', min: 10, flex: 1, drop: 1, value: (p) => p.command || p.name },
  ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <TargetStatus target={target} name="host" />
      <MetricRow
        label="CPU"
        metric="host.cpu"
        width={width}
        text={r ? pct(r.cpu.percent) : undefined}
        spark={{ min: 0, max: 100 }}
      />
      <MetricRow
        label="Memory"
        metric="host.memory"
        width={width}
        text={r ? `${pct(r.memory.percent)} of ${bytes(r.memory.totalBytes)}` : undefined}
        spark={{ min: 0, max: 100 }}
      />
      <Line
        width={width}
        segments={
          r
            ? [...loadSegments(r), { text: ' · swap ' }, { text: pct(r.swap.percent) }, { text: ` · ${r.hostname}` }]
            : []
        }
      />
      <Section title="Mounts" focused={focus === 0} width={width} height={mountsH}>
        <Table
          columns={mountCols}
          rows={disks}
          width={width}
          height={mountsH - 1}
          selected={sel(0)}
          active={focus === 0}
          rowKey={(d) => d.mount}
          empty="no mounts read yet"
        />
      </Section>
      <Section title="Interfaces" focused={focus === 1} width={width} height={netsH}>
        <Table
          columns={netCols}
          rows={nets}
          width={width}
          height={netsH - 1}
          selected={sel(1)}
          active={focus === 1}
          rowKey={(n) => n.name}
          empty="no interfaces read yet"
        />
      </Section>
      <Section
        title="Top processes"
        focused={focus === 2}
        width={width}
        height={procH}
        note={`sorted by ${sortCol.label} ${sort.desc ? '↓' : '↑'}`}
      >
        <Table
          columns={procCols}
          rows={processes}
          width={width}
          height={procH - 1}
          selected={sel(2)}
          active={focus === 2}
          rowKey={(p) => String(p.pid)}
          empty="processes are sampled every few seconds…"
        />
      </Section>
    </Box>
  );
});
