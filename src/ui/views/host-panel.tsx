// Overview panels for the host and Docker: key values against limits, with sparklines.
import { Text } from 'ink';
import { memo, type ReactElement } from 'react';
import type { DockerContainer, DockerReading, HostReading } from '../../probes/index.js';
import { Line, type Segment } from '../line.js';
import { useOps } from '../store-context.js';
import { fit } from '../text.js';
import { bytes, duration, fromSeconds, pct, rate } from '../../present/format.js';
import { LevelLine } from './level-line.js';
import { MetricRow } from './metric-row.js';
import { Panel } from './panel.js';
import { dataState, readingOf, TargetStatus } from './target-status.js';

export interface PanelBoxProps {
  width: number;
  height: number;
  focused: boolean;
}

/** "Load 1.20 0.90 0.70 · 4 cores · up 3d" as separately measured segments. */
export function loadSegments(r: HostReading): Segment[] {
  return [
    { text: 'Load       ' },
    { text: r.load.one.toFixed(2) },
    { text: ' ' },
    { text: r.load.five.toFixed(2) },
    { text: ' ' },
    { text: r.load.fifteen.toFixed(2) },
    { text: ` · ${r.cpu.perCore.length} cores · up ` },
    { text: duration(fromSeconds(r.uptimeSeconds)) },
  ];
}

/** Lines a panel can show inside its border, below its title. */
export const panelLines = (height: number) => Math.max(0, height - 3);

/** The host panel: CPU, memory (with sparklines), the fullest disk, load, swap, network. */
export const HostPanel = memo(function HostPanel({ width, height, focused }: PanelBoxProps) {
  const target = useOps((s) => s.targets.host);
  const r = readingOf<HostReading>(target);
  const inner = width - 4;
  const lines: ReactElement[] = [];
  if (dataState(target) !== 'fresh') lines.push(<TargetStatus key="status" target={target} name="host" />);
  if (r) {
    const disks = [...r.disks].sort((a, b) => b.percent - a.percent);
    lines.push(
      <MetricRow
        key="cpu"
        label="CPU"
        metric="host.cpu"
        width={inner}
        text={pct(r.cpu.percent)}
        spark={{ min: 0, max: 100 }}
      />,
    );
    lines.push(
      <MetricRow
        key="mem"
        label="Memory"
        metric="host.memory"
        width={inner}
        text={pct(r.memory.percent)}
        spark={{ min: 0, max: 100 }}
      />,
    );
    const worst = disks[0];
    const diskLabel = Math.max(10, Math.min(24, inner - 24));
    if (worst)
      lines.push(
        <MetricRow
          key="disk"
          label={`Disk ${worst.mount}`}
          labelWidth={diskLabel}
          metric="host.disk"
          instance={worst.mount}
          width={inner}
          text={pct(worst.percent)}
        />,
      );
    lines.push(<Line key="load" width={inner} segments={loadSegments(r)} />);
    if (r.swap.percent !== null)
      lines.push(<MetricRow key="swap" label="Swap" metric="host.swap" width={inner} text={pct(r.swap.percent)} />);
    const busiest = [...r.network].sort(
      (a, b) => Math.max(b.rxBytesPerSec, b.txBytesPerSec) - Math.max(a.rxBytesPerSec, a.txBytesPerSec),
    )[0];
    if (busiest)
      lines.push(
        <Line
          key="net"
          width={inner}
          segments={[
            { text: `Net        ${busiest.name} ↓ ` },
            { text: rate(busiest.rxBytesPerSec) },
            { text: ' ↑ ' },
            { text: rate(busiest.txBytesPerSec) },
          ]}
        />,
      );
    // With room to spare (a tall terminal): every disk, every interface, the busiest processes.
    for (const d of disks.slice(1))
      lines.push(
        <MetricRow
          key={`disk${d.mount}`}
          label={`Disk ${d.mount}`}
          labelWidth={diskLabel}
          metric="host.disk"
          instance={d.mount}
          width={inner}
          text={pct(d.percent)}
        />,
      );
    for (const n of r.network.filter((x) => x !== busiest)) {
      lines.push(
        <Line
          key={`net${n.name}`}
          width={inner}
          segments={[
            { text: `Net        ${n.name} ↓ ` },
            { text: rate(n.rxBytesPerSec) },
            { text: ' ↑ ' },
            { text: rate(n.txBytesPerSec) },
          ]}
        />,
      );
    }
    for (const p of r.processes?.byCpu ?? []) {
      lines.push(
        <Line
          key={`proc${p.pid}`}
          width={inner}
          segments={[
            { text: `Process    ${fit(p.name, 16)} cpu ` },
            { text: pct(p.cpuPercent) },
            { text: ' · mem ' },
            { text: bytes(p.memoryBytes) },
          ]}
        />,
      );
    }
  }
  return (
    <Panel
      title="Host"
      target="host"
      width={width}
      height={height}
      focused={focused}
      subtitle={r ? `${r.hostname} · mem ${bytes(r.memory.totalBytes)}` : undefined}
    >
      {lines.slice(0, panelLines(height))}
    </Panel>
  );
});

/** The Docker panel: running/total, unhealthy and restarting containers, busiest by CPU. */
export const DockerPanel = memo(function DockerPanel({ width, height, focused }: PanelBoxProps) {
  const target = useOps((s) => s.targets.docker);
  const r = readingOf<DockerReading>(target);
  const lines: ReactElement[] = [];
  if (dataState(target) !== 'fresh')
    lines.push(<TargetStatus key="status" target={target} name="Docker" hint="set targets.docker" />);
  if (r) {
    const c = r.counts;
    lines.push(<Text key="count" wrap="truncate">{`Running    ${c.running}/${c.total} · stopped ${c.stopped}`}</Text>);
    const unhealthy = r.containers.filter((x) => x.health === 'unhealthy').map((x) => x.name);
    lines.push(
      <LevelLine
        key="unhealthy"
        label="Unhealthy"
        metric="docker.unhealthy"
        text={`${c.unhealthy}${unhealthy.length ? ` · ${unhealthy.join(', ')}` : ''}`}
      />,
    );
    const restarts = [...r.containers].sort((a, b) => (b.restartCount ?? 0) - (a.restartCount ?? 0))[0];
    if (restarts)
      lines.push(
        <LevelLine
          key="restarts"
          label="Restarts"
          metric="docker.restarts"
          text={`max ${restarts.restartCount ?? '—'} · ${restarts.name}`}
        />,
      );
    // Problems first (unhealthy, not running), then the busiest.
    const rank = (x: DockerContainer) => (x.health === 'unhealthy' ? 0 : x.state !== 'running' ? 1 : 2);
    const listed = [...r.containers].sort((a, b) => rank(a) - rank(b) || (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1));
    const nameWidth = Math.max(12, Math.min(30, width - 4 - 34));
    for (const x of listed) {
      const state =
        x.state !== 'running'
          ? x.state
          : x.health === 'unhealthy'
            ? '✗ unhealthy'
            : x.health === 'healthy'
              ? '✓ healthy'
              : 'running';
      lines.push(
        <Line
          key={`c${x.id}`}
          width={width - 4}
          segments={[
            { text: `${fit(x.name, nameWidth)} ${fit(state, 11)} ` },
            { text: pct(x.cpuPercent) },
            { text: ' · ' },
            { text: bytes(x.memoryBytes) },
          ]}
        />,
      );
    }
  }
  return (
    <Panel
      title="Docker"
      target="docker"
      width={width}
      height={height}
      focused={focused}
      subtitle={r ? `engine ${r.engine.version}` : undefined}
    >
      {lines.slice(0, panelLines(height))}
    </Panel>
  );
});
