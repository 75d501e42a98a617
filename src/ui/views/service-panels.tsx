// Overview panels for PostgreSQL and Redis: key values against limits, with sparklines.
import { Text } from 'ink';
import { memo, type ReactElement } from 'react';
import type { PgReading, RedisReading } from '../../probes/index.js';
import { useOps } from '../store-context.js';
import { bytes, count, duration, fromSeconds, pct } from '../../present/format.js';
import { useAge } from './age.js';
import { panelLines, type PanelBoxProps } from './host-panel.js';
import { Line } from '../line.js';
import { oneLine } from '../text.js';
import { MetricRow } from './metric-row.js';
import { Panel } from './panel.js';
import { dataState, readingOf, TargetStatus } from './target-status.js';

/** "active 3 · idle 10 · idle in transaction 1", busiest state first. */
export function byStateText(byState: Record<string, number>): string {
  return Object.entries(byState)
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${state} ${n}`)
    .join(' · ');
}

/** The PostgreSQL panel: connections (sparkline) against max_connections, cache hit, queries, locks. */
export const PostgresPanel = memo(function PostgresPanel({ width, height, focused }: PanelBoxProps) {
  const target = useOps((s) => s.targets.postgres);
  const r = readingOf<PgReading>(target);
  const inner = width - 4;
  const lines: ReactElement[] = [];
  if (dataState(target) !== 'fresh')
    lines.push(<TargetStatus key="status" target={target} name="PostgreSQL" hint="set targets.postgres" />);
  if (r) {
    const c = r.connections;
    lines.push(
      <MetricRow
        key="conn"
        label="Conns"
        metric="postgres.connections"
        width={inner}
        text={`${c.total}/${c.max}`}
        spark={{ min: 0, max: 100 }}
      />,
    );
    lines.push(
      <MetricRow
        key="cache"
        label="Cache hit"
        metric="postgres.cacheHitRatio"
        width={inner}
        text={pct(r.cacheHitRatio)}
      />,
    );
    const longest = r.longQueries.reduce((m, q) => Math.max(m, q.seconds), 0);
    lines.push(
      <MetricRow
        key="long"
        label="Longest"
        metric="postgres.longestQuerySeconds"
        width={inner}
        text={r.longQueries.length ? duration(fromSeconds(longest)) : 'none'}
      />,
    );
    lines.push(
      <MetricRow
        key="locks"
        label="Lock wait"
        metric="postgres.waitingLocks"
        width={inner}
        text={String(r.waitingLocks.length)}
      />,
    );
    if (r.replication.role === 'replica' || r.replication.replicas.length > 0) {
      lines.push(
        <MetricRow
          key="lag"
          label={r.replication.role === 'replica' ? 'Lag' : 'Repl lag'}
          metric="postgres.replicationLagSeconds"
          width={inner}
          text={duration(fromSeconds(r.replication.lagSeconds))}
        />,
      );
    }
    lines.push(
      <Text key="states" wrap="truncate">{`States     ${byStateText(c.byState) || 'no client connections'}`}</Text>,
    );
    for (const d of [...r.databases].sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0))) {
      lines.push(<Text key={`db${d.name}`} wrap="truncate">{`DB         ${d.name} ${bytes(d.sizeBytes)}`}</Text>);
    }
    // With room to spare: the statements behind the numbers.
    for (const q of r.longQueries)
      lines.push(
        <Line
          key={`q${q.pid}`}
          width={inner}
          segments={[
            { text: `Query      ${q.pid} ` },
            { text: duration(fromSeconds(q.seconds)) },
            { text: ` ${oneLine(q.query)}` },
          ]}
        />,
      );
    for (const l of r.waitingLocks) {
      lines.push(
        <Line
          key={`l${l.pid}`}
          width={inner}
          segments={[
            { text: `Lock wait  ${l.pid} ← ${l.blockedBy.join(',') || '?'} ` },
            { text: duration(fromSeconds(l.seconds)) },
            { text: ` ${l.relation ?? l.locktype} ${l.mode}` },
          ]}
        />,
      );
    }
  }
  return (
    <Panel
      title="PostgreSQL"
      target="postgres"
      width={width}
      height={height}
      focused={focused}
      subtitle={r ? `${r.version} · ${r.replication.role} · up ${duration(fromSeconds(r.uptimeSeconds))}` : undefined}
    >
      {lines.slice(0, panelLines(height))}
    </Panel>
  );
});

function RdbLine({ r, width }: { r: RedisReading; width: number }) {
  const age = useAge(r.persistence.rdbLastSaveAt);
  const p = r.persistence;
  const saved = `${p.rdbLastSaveOk ? 'ok' : 'FAILED'}${p.rdbLastSaveAt ? ` ${age}` : ''}`;
  const text = `${saved}${p.rdbSaving ? ' · saving' : ''}`;
  return <MetricRow label="RDB save" metric="redis.rdbLastSaveFailed" width={width} text={text} />;
}

/** The Redis panel: memory against maxmemory, clients, hit ratio, evictions, last save, keys. */
export const RedisPanel = memo(function RedisPanel({ width, height, focused }: PanelBoxProps) {
  const target = useOps((s) => s.targets.redis);
  const r = readingOf<RedisReading>(target);
  const inner = width - 4;
  const lines: ReactElement[] = [];
  if (dataState(target) !== 'fresh')
    lines.push(<TargetStatus key="status" target={target} name="Redis" hint="set targets.redis" />);
  if (r) {
    const m = r.memory;
    lines.push(
      <MetricRow
        key="mem"
        label="Memory"
        metric="redis.memory"
        width={inner}
        text={`${bytes(m.usedBytes)}/${m.maxBytes ? bytes(m.maxBytes) : 'no limit'}`}
      />,
    );
    lines.push(
      <MetricRow
        key="clients"
        label="Clients"
        metric="redis.clients"
        width={inner}
        text={`${r.clients.connected}/${r.clients.max ?? '?'}`}
      />,
    );
    lines.push(<MetricRow key="hit" label="Hit ratio" metric="redis.hitRatio" width={inner} text={pct(r.hitRatio)} />);
    lines.push(
      <MetricRow
        key="evict"
        label="Evictions"
        metric="redis.evictionsPerSecond"
        width={inner}
        text={`${r.evictionsPerSecond === null ? '—' : `${r.evictionsPerSecond}/s`} (${count(r.evictedKeys)})`}
      />,
    );
    lines.push(<RdbLine key="rdb" r={r} width={inner} />);
    const keys = r.keyspace.reduce((n, k) => n + k.keys, 0);
    lines.push(
      <Text
        key="keys"
        wrap="truncate"
      >{`Keys       ${count(keys)} in ${r.keyspace.length} db · policy ${m.policy}`}</Text>,
    );
    // With room to spare: each database, persistence and replication.
    for (const k of r.keyspace)
      lines.push(
        <Text
          key={`db${k.db}`}
          wrap="truncate"
        >{`db${k.db}        ${count(k.keys)} keys · ${count(k.expires)} with expiry`}</Text>,
      );
    const p = r.persistence;
    const aof = p.aofEnabled ? p.aofState : 'off';
    const changes = count(p.rdbChangesSinceSave);
    lines.push(<Text key="aof" wrap="truncate">{`AOF        ${aof} · ${changes} changes since last save`}</Text>);
    const repl = r.replication;
    const of = repl.masterHost ? ` · replica of ${repl.masterHost} (${repl.linkStatus ?? '?'})` : '';
    lines.push(<Text key="repl" wrap="truncate">{`Replicas   ${repl.connectedReplicas}${of}`}</Text>);
  }
  return (
    <Panel
      title="Redis"
      target="redis"
      width={width}
      height={height}
      focused={focused}
      subtitle={r ? `${r.version} · ${r.role} · up ${duration(fromSeconds(r.uptimeSeconds))}` : undefined}
    >
      {lines.slice(0, panelLines(height))}
    </Panel>
  );
});
