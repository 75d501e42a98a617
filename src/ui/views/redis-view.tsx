// The Redis view: memory against maxmemory, clients, hit ratio, evictions, persistence and the
// keyspace per database.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { RedisReading } from '../../probes/index.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { bytes, count, duration, fromSeconds, pct } from '../../present/format.js';
import { useAge } from './age.js';
import { Line } from '../line.js';
import { MetricRow } from './metric-row.js';
import { Section } from './section.js';
import { readingOf, TargetStatus } from './target-status.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';

type Keyspace = RedisReading['keyspace'][number];

const keyCols: Column<Keyspace>[] = [
  { id: 'db', header: 'db', min: 4, align: 'right', value: (k) => `db${k.db}` },
  { id: 'keys', header: 'keys', min: 8, align: 'right', value: (k) => count(k.keys) },
  { id: 'exp', header: 'with expiry', min: 11, align: 'right', value: (k) => count(k.expires) },
  {
    id: 'share',
    header: 'expiring',
    min: 8,
    align: 'right',
    value: (k) => pct(k.keys ? (k.expires / k.keys) * 100 : null),
  },
];

function Persistence({ r, width }: { r: RedisReading; width: number }) {
  const p = r.persistence;
  const age = useAge(p.rdbLastSaveAt);
  const saved = `${p.rdbLastSaveOk ? 'ok' : 'FAILED'}${p.rdbLastSaveAt ? ` ${age}` : ''}`;
  const rdb = `${saved} · ${count(p.rdbChangesSinceSave)} changes since${p.rdbSaving ? ' · saving now' : ''}`;
  return (
    <>
      <MetricRow
        label="RDB save"
        metric="redis.rdbLastSaveFailed"
        width={width}
        text={p.rdbLastSaveOk ? 'ok' : 'FAILED'}
      />
      <Text wrap="truncate">{`           last save ${rdb} · AOF ${p.aofEnabled ? p.aofState : 'off'}`}</Text>
    </>
  );
}

/** The Redis view. */
export const RedisView = memo(function RedisView({ width, height, selected, report }: ViewProps) {
  const target = useOps((s) => s.targets.redis);
  const r = readingOf<RedisReading>(target);
  const keyspace = r?.keyspace ?? [];
  const tableH = Math.max(3, height - 10);
  useNavReport(report, 'redis', keyspace.length, 1, tableH - 2);
  if (!r) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <TargetStatus target={target} name="Redis" hint="set targets.redis" />
      </Box>
    );
  }
  const m = r.memory;
  const c = r.clients;
  const repl = r.replication;
  const master = repl.masterHost ? ` of ${repl.masterHost} (link ${repl.linkStatus ?? '?'})` : '';
  const up = duration(fromSeconds(r.uptimeSeconds));
  const server = `Redis ${r.version} · ${r.mode} · ${r.role}${master} · ${repl.connectedReplicas} replicas · up ${up}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <TargetStatus target={target} name="Redis" />
      <Text wrap="truncate">{server}</Text>
      <MetricRow
        label="Memory"
        metric="redis.memory"
        width={width}
        text={`${bytes(m.usedBytes)} / ${m.maxBytes ? bytes(m.maxBytes) : 'no limit'}`}
        spark={m.maxBytes ? { min: 0, max: 100 } : undefined}
      />
      <Line
        width={width}
        segments={[
          { text: `           policy ${m.policy}` },
          ...(m.percent !== null
            ? [{ text: ' · ' }, { text: pct(m.percent) }, { text: ' of maxmemory' }]
            : [{ text: ' · maxmemory not set: only host memory limits it' }]),
        ]}
      />
      <MetricRow label="Clients" metric="redis.clients" width={width} text={`${c.connected} / ${c.max ?? '?'}`} />
      <Text wrap="truncate">{`           blocked ${c.blocked} · rejected ${count(c.rejected)} since start`}</Text>
      <MetricRow
        label="Hit ratio"
        metric="redis.hitRatio"
        width={width}
        text={pct(r.hitRatio)}
        spark={{ min: 0, max: 100 }}
      />
      <MetricRow
        label="Evictions"
        metric="redis.evictionsPerSecond"
        width={width}
        text={`${r.evictionsPerSecond === null ? '—' : `${r.evictionsPerSecond}/s`} · ${count(r.evictedKeys)} total`}
      />
      <Persistence r={r} width={width} />
      <Section title="Keyspace" focused width={width} height={tableH}>
        <Table
          columns={keyCols}
          rows={keyspace}
          width={Math.min(width, 60)}
          height={tableH - 1}
          selected={clampRow(selected, keyspace.length)}
          rowKey={(k) => String(k.db)}
          empty="no keys in any database"
        />
      </Section>
    </Box>
  );
});
