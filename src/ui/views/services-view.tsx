// The Services view: the configured services in start order with their status (asked every 5 s
// while the view is open, and again after every action), and start/stop of one or of all in the
// documented order as plans in the task flow; the plan's summary says what runs now.
import { Box, Text } from 'ink';
import { memo, useEffect, useState } from 'react';
import { errorText } from '../../plan/errors.js';
import { showArgv } from '../../plan/plan.js';
import type { ServiceState, ServiceStatus } from '../../actions/service-drivers.js';
import type { ServiceConfig } from '../../config/schema.js';
import { useActions, useActionState } from '../actions/action-context.js';
import type { ActionController } from '../../app/console/action-controller.js';
import { useViewTargets } from '../commands/view-targets.js';
import { keysFor } from '../key-hints.js';
import { Table, type Column } from '../table.js';
import { levelColor, uiColor } from '../theme.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';

const POLL_MS = 5000;

const STATE_LABEL: Record<ServiceState, string> = {
  running: '✓ running',
  stopped: '■ stopped',
  partial: '! partial',
  unknown: '? unknown',
};

/** How a service is driven, in words: `systemd nginx.service`, `container web`, `argv redis-server …`. */
export function serviceKind(s: ServiceConfig): string {
  if (s.systemd) return `systemd ${s.systemd}`;
  if (s.container) return `container ${s.container}`;
  if (s.compose) return `compose ${s.compose.project ?? s.compose.file ?? ''}`.trim();
  return `argv ${showArgv(s.start ?? s.stop ?? [])}`;
}

interface Row {
  svc: ServiceConfig;
  status: ServiceStatus | undefined;
}

interface Statuses {
  list: ServiceStatus[];
  at: number | null;
  error: string | null;
}

/** Asks for every service's status now, after each action, and every 5 s, one read at a time. */
function useStatuses(ctl: ActionController | null): Statuses {
  const finished = useActionState((s) => s.finished);
  const [st, setSt] = useState<Statuses>({ list: [], at: null, error: null });
  useEffect(() => {
    if (!ctl || ctl.actions.services.length === 0) return undefined;
    let alive = true;
    let ac: AbortController | null = null;
    let timer: NodeJS.Timeout | undefined;
    const read = () => {
      const a = new AbortController();
      ac = a;
      const limit = setTimeout(() => a.abort(), 20_000);
      ctl.actions
        .serviceStatuses(a.signal)
        .then(
          (list) => alive && setSt({ list, at: Date.now(), error: null }),
          (err: unknown) => alive && setSt((prev) => ({ ...prev, error: errorText(err) })),
        )
        .finally(() => {
          clearTimeout(limit);
          if (alive) timer = setTimeout(read, POLL_MS);
        });
    };
    read();
    return () => {
      alive = false;
      ac?.abort();
      clearTimeout(timer);
    };
  }, [ctl, finished]);
  return st;
}

/** The Services view. */
export const ServicesView = memo(function ServicesView({ width, height, selected, report }: ViewProps) {
  const ctl = useActions();
  const st = useStatuses(ctl);
  const order = st.list.map((s) => s.name);
  const services = [...(ctl?.actions.services ?? [])].sort(
    (a, b) => (order.indexOf(a.name) + 1 || 1e6) - (order.indexOf(b.name) + 1 || 1e6),
  );
  const rows: Row[] = services.map((svc) => ({ svc, status: st.list.find((s) => s.name === svc.name) }));
  const sel = clampRow(selected, rows.length);
  // An argv service's status output (the manual's `run_production.sh status`: PID, workers, memory).
  const chosen = rows[sel];
  const said = chosen?.status?.output ?? [];
  const detailLines = said.length > 0 ? said.slice(0, Math.max(0, Math.min(said.length, height - 6))) : [];
  const detailH = detailLines.length > 0 ? detailLines.length + 1 : 0;
  const tableH = Math.max(3, height - 2 - detailH);
  useNavReport(report, 'services', rows.length, 1, tableH - 1);
  useViewTargets('services', { service: (at) => rows[clampRow(at, rows.length)]?.svc });
  const stateColor = (s: ServiceState | undefined) =>
    s === 'stopped' || s === 'partial' ? levelColor('WARNING') : s === 'unknown' ? levelColor('UNKNOWN') : undefined;
  const columns: Column<Row>[] = [
    { id: 'name', header: 'service', min: 10, max: 30, flex: 1, value: (r) => r.svc.name },
    { id: 'group', header: 'group', min: 8, max: 12, value: (r) => r.svc.group },
    {
      id: 'state',
      header: 'state',
      min: 10,
      max: 10,
      value: (r) => (r.status ? STATE_LABEL[r.status.state] : '… asking'),
      color: (r) => stateColor(r.status?.state),
    },
    { id: 'detail', header: 'detail', min: 12, max: 50, flex: 2, value: (r) => r.status?.detail ?? '' },
    { id: 'kind', header: 'driven by', min: 10, max: 50, flex: 1, drop: 1, value: (r) => serviceKind(r.svc) },
  ];
  const running = st.list.filter((s) => s.state === 'running').length;
  const muted = uiColor('muted');
  const status = st.at === null ? 'asking for status…' : `${running} running`;
  const unknown = st.error ? ` · ✗ status unknown: ${st.error}` : '';
  const startStop =
    `${keysFor('service.start-all')} starts all, ${keysFor('service.stop-all')} stops all, ` +
    `${keysFor('service.restart')} restarts, ${keysFor('service.reload')} reloads`;
  const summary = !ctl
    ? 'this console was started without actions'
    : rows.length === 0
      ? 'no services configured: add a services: list to the config' +
        ' (systemd, container, compose or start/stop commands)'
      : `${rows.length} services in start order · ${status}${unknown} · ${startStop}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate" {...(st.error && muted ? { color: muted } : {})}>
        {summary}
      </Text>
      <Table
        columns={columns}
        rows={rows}
        width={width}
        height={tableH}
        selected={sel}
        rowKey={(r) => r.svc.name}
        empty="no services"
      />
      {detailLines.length > 0 && chosen ? (
        <Box flexDirection="column" height={detailH} overflowY="hidden">
          <Text wrap="truncate" {...(muted ? { color: muted } : {})}>
            {`status of ${chosen.svc.name} (${showArgv(chosen.svc.status ?? [])}):`}
          </Text>
          {detailLines.map((l, i) => (
            <Text key={i} wrap="truncate">
              {`  ${l}`}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
});
