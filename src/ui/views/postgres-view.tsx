// The PostgreSQL view: connections against max_connections, then the longest queries, the
// blocking chains as trees (each root blocker with the sessions waiting for it indented under it),
// waiting locks with their blockers, connections by state and database sizes. Enter shows the full
// statement of the selected query, chain row or lock; C cancels its query, X terminates it.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { PgBlockNode, PgQuery, PgReading, PgWaitingLock } from '../../probes/index.js';
import { useViewTargets } from '../commands/view-targets.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { oneLine } from '../text.js';
import { bytes, duration, fromSeconds, pct } from '../../present/format.js';
import { MetricRow } from './metric-row.js';
import { Section } from './section.js';
import { byStateText } from './service-panels.js';
import { readingOf, TargetStatus } from './target-status.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';
import { DetailBox } from './detail-box.js';

type DbSize = PgReading['databases'][number];
const DETAIL_LINES = 4;

const queryCols: Column<PgQuery>[] = [
  { id: 'pid', header: 'pid', min: 5, max: 8, align: 'right', value: (q) => String(q.pid) },
  { id: 'time', header: 'running', min: 7, align: 'right', value: (q) => duration(fromSeconds(q.seconds)) },
  { id: 'user', header: 'user', min: 6, max: 16, drop: 2, value: (q) => q.user ?? '' },
  { id: 'db', header: 'database', min: 8, max: 16, drop: 1, value: (q) => q.database ?? '' },
  { id: 'state', header: 'state', min: 6, max: 12, drop: 3, value: (q) => q.state ?? '' },
  { id: 'query', header: 'query', min: 12, flex: 1, value: (q) => q.query },
];
const lockCols: Column<PgWaitingLock>[] = [
  { id: 'pid', header: 'pid', min: 5, max: 8, align: 'right', value: (l) => String(l.pid) },
  {
    id: 'by',
    header: 'blocked by',
    min: 10,
    max: 16,
    value: (l) => (l.blockedBy.length ? l.blockedBy.join(',') : '—'),
  },
  { id: 'wait', header: 'waiting', min: 7, align: 'right', value: (l) => duration(fromSeconds(l.seconds)) },
  { id: 'mode', header: 'mode', min: 8, max: 20, drop: 2, value: (l) => l.mode },
  { id: 'rel', header: 'relation', min: 8, max: 24, drop: 1, value: (l) => l.relation ?? l.locktype },
  { id: 'query', header: 'query', min: 12, flex: 1, value: (l) => l.query },
];
/** One row of a blocking tree: the session and how deep it sits under its root. */
export interface ChainRow {
  node: PgBlockNode;
  depth: number;
}

/** The trees flattened root first, each waiter right under the session it waits for. */
export function chainRows(tree: readonly PgBlockNode[]): ChainRow[] {
  const out: ChainRow[] = [];
  const walk = (n: PgBlockNode, depth: number): void => {
    out.push({ node: n, depth });
    for (const ch of n.children) walk(ch, depth + 1);
  };
  for (const root of tree) walk(root, 0);
  return out;
}

const chainCols: Column<ChainRow>[] = [
  {
    id: 'pid',
    header: 'session',
    min: 10,
    max: 18,
    value: (r) => `${r.depth === 0 ? '' : `${'  '.repeat(r.depth - 1)}└ `}${r.node.pid}`,
  },
  {
    id: 'role',
    header: 'blocks',
    min: 6,
    align: 'right',
    value: (r) => (r.node.children.length ? String(r.node.children.length) : '—'),
  },
  { id: 'time', header: 'xact', min: 7, align: 'right', value: (r) => duration(fromSeconds(r.node.seconds)) },
  { id: 'app', header: 'application', min: 8, max: 16, drop: 1, value: (r) => r.node.app ?? '' },
  { id: 'state', header: 'state', min: 6, max: 20, drop: 2, value: (r) => r.node.state ?? '' },
  { id: 'query', header: 'query', min: 12, flex: 1, value: (r) => r.node.query },
];
const sizeCols: Column<DbSize>[] = [
  { id: 'name', header: 'database', min: 8, max: 30, flex: 1, value: (d) => d.name },
  {
    id: 'size',
    header: 'size',
    min: 8,
    align: 'right',
    value: (d) => (d.sizeBytes === null ? 'no access' : bytes(d.sizeBytes)),
  },
];
const stateCols: Column<[string, number]>[] = [
  { id: 'state', header: 'state', min: 8, max: 30, flex: 1, value: ([s]) => s },
  { id: 'n', header: 'conns', min: 5, align: 'right', value: ([, n]) => String(n) },
];

/** The server line: version, role, replication lag, WAL archiving, uptime, connections by state. */
function serverLine(r: PgReading): string {
  const lagSeconds = r.replication.lagSeconds;
  const lag = lagSeconds !== null ? ` · lag ${duration(fromSeconds(lagSeconds))}` : '';
  const up = duration(fromSeconds(r.uptimeSeconds));
  const role = `${r.replication.role}${lag}${walText(r.wal)}`;
  return `PostgreSQL ${r.version} · ${role} · up ${up} · ${byStateText(r.connections.byState)}`;
}

/** " · WAL archived 3m ago", " · WAL archiving FAILING (2 failed)", or nothing when not archiving. */
export function walText(w: PgReading['wal']): string {
  if (!w.archiving) return '';
  if (w.failing) return ` · WAL archiving FAILING (${w.failed} failed)`;
  if (w.lastArchivedWal === null) return ' · WAL archiving on, nothing archived yet';
  return ` · WAL archived ${duration(fromSeconds(w.ageSeconds))} ago`;
}

/** Who a session is, for the plan's blast radius: user, application and what it runs. */
function sessionLabel(s: { user: string | null; app?: string | null; query: string }): string {
  const who = [s.user, s.app].filter((x) => x).join(', ');
  return `${who ? `${who}: ` : ''}${oneLine(s.query).slice(0, 80)}`;
}

/** The PostgreSQL view. */
export const PostgresView = memo(function PostgresView({ width, height, focus, selected, detail, report }: ViewProps) {
  const target = useOps((s) => s.targets.postgres);
  const r = readingOf<PgReading>(target);
  const queries = r?.longQueries ?? [];
  const locks = r?.waitingLocks ?? [];
  const chains = chainRows(r?.blockingTree ?? []);
  const sizes = [...(r?.databases ?? [])].sort((a, b) => (b.sizeBytes ?? -1) - (a.sizeBytes ?? -1));
  const states = Object.entries(r?.connections.byState ?? {}).sort((a, b) => b[1] - a[1]);
  const lists = [queries.length, chains.length, locks.length, sizes.length];
  const rest = Math.max(12, height - 4 - (detail ? DETAIL_LINES : 0));
  const qH = Math.max(3, Math.min(queries.length + 2, Math.floor(rest / 4)));
  const cH = Math.max(3, Math.min(chains.length + 2, Math.floor(rest / 4)));
  const lH = Math.max(3, Math.min(locks.length + 2, Math.floor(rest / 4)));
  const bottomH = Math.max(3, rest - qH - cH - lH);
  useNavReport(report, 'postgres', lists[focus] ?? 0, 4, [qH, cH, lH, bottomH][focus]! - 2);
  const sel = (i: number) => (focus === i ? clampRow(selected, lists[i]!) : -1);
  const half = Math.floor(width / 2);
  const pick = (f: number, at: number): { pid: number; query: string; label: string } | undefined => {
    const i = clampRow(at, lists[f] ?? 0);
    if (f === 0 && queries[i]) return { ...queries[i], label: sessionLabel(queries[i]) };
    if (f === 1 && chains[i]) return { ...chains[i].node, label: sessionLabel(chains[i].node) };
    if (f === 2 && locks[i]) return { ...locks[i], label: sessionLabel(locks[i]) };
    return undefined;
  };
  useViewTargets('postgres', { pgSession: (at) => pick(focus, at) });
  const chosen = pick(focus, selected);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <TargetStatus target={target} name="PostgreSQL" hint="set targets.postgres" />
      <MetricRow
        label="Conns"
        metric="postgres.connections"
        width={width}
        text={r ? `${r.connections.total}/${r.connections.max}` : undefined}
        spark={{ min: 0, max: 100 }}
      />
      <MetricRow
        label="Cache hit"
        metric="postgres.cacheHitRatio"
        width={width}
        text={r ? pct(r.cacheHitRatio) : undefined}
      />
      <Text wrap="truncate">{r ? serverLine(r) : ''}</Text>
      <Section title="Longest queries" focused={focus === 0} width={width} height={qH}>
        <Table
          columns={queryCols}
          rows={queries}
          width={width}
          height={qH - 1}
          selected={sel(0)}
          active={focus === 0}
          rowKey={(q) => String(q.pid)}
          empty="no active queries"
        />
      </Section>
      <Section title="Blocking chains" focused={focus === 1} width={width} height={cH}>
        <Table
          columns={chainCols}
          rows={chains}
          width={width}
          height={cH - 1}
          selected={sel(1)}
          active={focus === 1}
          rowKey={(c) => `${c.node.pid}:${c.depth}`}
          empty="no session blocks another"
        />
      </Section>
      <Section title="Waiting locks" focused={focus === 2} width={width} height={lH}>
        <Table
          columns={lockCols}
          rows={locks}
          width={width}
          height={lH - 1}
          selected={sel(2)}
          active={focus === 2}
          rowKey={(l, i) => `${l.pid}:${i}`}
          empty="no session is waiting for a lock"
        />
      </Section>
      <Box height={bottomH} width={width}>
        <Section title="Database sizes" focused={focus === 3} width={half} height={bottomH}>
          <Table
            columns={sizeCols}
            rows={sizes}
            width={half - 1}
            height={bottomH - 1}
            selected={sel(3)}
            active={focus === 3}
            rowKey={(d) => d.name}
            empty="sizes are read once a minute…"
          />
        </Section>
        <Section title="Connections by state" focused={false} width={width - half} height={bottomH}>
          <Table
            columns={stateCols}
            rows={states}
            width={width - half}
            height={bottomH - 1}
            active={false}
            rowKey={([s]) => s}
            empty="no client connections"
          />
        </Section>
      </Box>
      {detail && chosen ? (
        <DetailBox height={DETAIL_LINES}>
          <Text wrap="wrap">{`pid ${chosen.pid}: ${oneLine(chosen.query)}`}</Text>
        </DetailBox>
      ) : null}
    </Box>
  );
});
