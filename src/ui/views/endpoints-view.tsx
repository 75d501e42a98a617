// Endpoints (targets.http) and certificate files (targets.certificates): an Overview panel with one
// line each, and a view with each endpoint's last answer (status, latency, error, certificate
// subject, issuer and days left) above the certificate files.
import { Box, Text } from 'ink';
import { memo, useMemo, type ReactElement } from 'react';
import { worstLevel, type Level } from '../../engine/thresholds.js';
import type { CertificateState, CertificatesReading, HttpEndpointState, HttpReading } from '../../probes/index.js';
import type { AlertEntry } from '../../state/store.js';
import { useOps } from '../store-context.js';
import { Table, type Column } from '../table.js';
import { levelColor, levelLabel } from '../theme.js';
import { panelLines, type PanelBoxProps } from './host-panel.js';
import { Panel } from './panel.js';
import { Section } from './section.js';
import { readingOf, TargetStatus } from './target-status.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';

/** The worst level per instance of one target's alerts. */
function levelsByInstance(alerts: Record<string, AlertEntry>, target: string): Map<string, Level> {
  const out = new Map<string, Level>();
  for (const a of Object.values(alerts)) {
    if (a.target !== target) continue;
    out.set(a.instance, worstLevel([out.get(a.instance) ?? 'OK', a.level]));
  }
  return out;
}

function useLevels(target: string): Map<string, Level> {
  const alerts = useOps((s) => s.alerts);
  return useMemo(() => levelsByInstance(alerts, target), [alerts, target]);
}

const ms = (v: number | null): string => (v === null ? '—' : `${Math.round(v)} ms`);
const days = (v: number | null): string => (v === null ? '—' : `${v} d`);
const date = (t: number | null): string => (t === null ? '—' : new Date(t).toISOString().slice(0, 10));

/** "200 · 12 ms · cert 89 d" or the error, for one line. */
export function endpointSummary(e: HttpEndpointState): string {
  const cert = e.daysLeft !== null ? ` · cert ${days(e.daysLeft)}` : '';
  if (e.up) return `${e.status ?? '?'} · ${ms(e.latencyMs)}${cert}`;
  return `DOWN · ${e.error ?? 'no answer'}${e.status !== null ? ` · ${ms(e.latencyMs)}` : ''}${cert}`;
}

/** "certificate 89 d left · CN=…" or the error, for one line. */
export function certSummary(c: CertificateState): string {
  return c.error ?? `certificate ${days(c.daysLeft)} left · ${c.subject ?? ''}`;
}

function LevelText({ level }: { level: Level }) {
  const color = levelColor(level);
  return <Text {...(color ? { color } : {})}>{levelLabel(level, true).padEnd(6)}</Text>;
}

/** The Overview panel: one line per endpoint, then one per certificate file. */
export const EndpointsPanel = memo(function EndpointsPanel({ width, height, focused }: PanelBoxProps) {
  const http = useOps((s) => s.targets.http);
  const certs = useOps((s) => s.targets.certificates);
  const httpLevels = useLevels('http');
  const certLevels = useLevels('certificates');
  const eps = readingOf<HttpReading>(http)?.endpoints ?? [];
  const files = readingOf<CertificatesReading>(certs)?.certificates ?? [];
  const nameW = Math.min(24, Math.max(8, ...eps.map((e) => e.name.length), ...files.map((c) => c.instance.length)));
  const lines: ReactElement[] = [];
  if (http && eps.length === 0) lines.push(<TargetStatus key="hs" target={http} name="Endpoints" />);
  for (const e of eps)
    lines.push(
      <Text key={`e:${e.name}`} wrap="truncate">
        <LevelText level={httpLevels.get(e.name) ?? 'OK'} />
        {` ${e.name.padEnd(nameW)} ${endpointSummary(e)}`}
      </Text>,
    );
  for (const c of files)
    lines.push(
      <Text key={`c:${c.instance}`} wrap="truncate">
        <LevelText level={certLevels.get(c.instance) ?? 'OK'} />
        {` ${c.instance.padEnd(nameW)} ${certSummary(c)}`}
      </Text>,
    );
  const shown = panelLines(height);
  const rest = lines.length - shown;
  return (
    <Panel title="Endpoints" target={http ? 'http' : 'certificates'} width={width} height={height} focused={focused}>
      {rest > 0
        ? [...lines.slice(0, shown - 1), <Text key="more">{`… ${rest + 1} more (E: Endpoints view)`}</Text>]
        : lines}
    </Panel>
  );
});

/** Lines the Endpoints panel wants (0 when neither endpoints nor certificates are watched). */
export function useEndpointsPanelRows(): number {
  return useOps((s) => {
    const h = s.targets.http;
    const c = s.targets.certificates;
    if (!h && !c) return 0;
    const eps = readingOf<HttpReading>(h)?.endpoints.length ?? (h ? 1 : 0);
    const files = readingOf<CertificatesReading>(c)?.certificates.length ?? 0;
    return eps + files;
  });
}

const endpointCols = (levels: Map<string, Level>): Column<HttpEndpointState>[] => [
  { id: 'name', header: 'endpoint', min: 8, max: 24, value: (e) => e.name },
  {
    id: 'level',
    header: 'level',
    min: 6,
    value: (e) => levelLabel(levels.get(e.name) ?? 'OK', true),
    color: (e) => levelColor(levels.get(e.name) ?? 'OK'),
  },
  { id: 'up', header: 'up', min: 4, value: (e) => (e.up ? 'up' : 'DOWN') },
  {
    id: 'status',
    header: 'status',
    min: 6,
    align: 'right',
    value: (e) => (e.status === null ? '—' : String(e.status)),
  },
  { id: 'latency', header: 'latency', min: 7, align: 'right', value: (e) => ms(e.latencyMs) },
  { id: 'cert', header: 'cert left', min: 9, align: 'right', value: (e) => days(e.daysLeft) },
  { id: 'detail', header: 'error / url', min: 10, flex: 1, value: (e) => e.error ?? `${e.method} ${e.url}` },
];

const certCols = (levels: Map<string, Level>): Column<CertificateState>[] => [
  { id: 'name', header: 'certificate', min: 11, max: 32, value: (c) => c.instance },
  {
    id: 'level',
    header: 'level',
    min: 6,
    value: (c) => levelLabel(levels.get(c.instance) ?? 'OK', true),
    color: (c) => levelColor(levels.get(c.instance) ?? 'OK'),
  },
  { id: 'days', header: 'days left', min: 9, align: 'right', value: (c) => days(c.daysLeft) },
  { id: 'to', header: 'valid to', min: 10, value: (c) => date(c.validTo) },
  { id: 'subject', header: 'subject / error', min: 10, flex: 1, value: (c) => c.error ?? c.subject ?? '' },
  { id: 'issuer', header: 'issuer', min: 8, flex: 1, drop: 1, value: (c) => c.issuer ?? '' },
];

/** The Endpoints view: endpoints (h/l) certificates, with the selected row's details. */
export const EndpointsView = memo(function EndpointsView({ width, height, focus, selected, report }: ViewProps) {
  const http = useOps((s) => s.targets.http);
  const certs = useOps((s) => s.targets.certificates);
  const httpLevels = useLevels('http');
  const certLevels = useLevels('certificates');
  const eps = readingOf<HttpReading>(http)?.endpoints ?? [];
  const files = readingOf<CertificatesReading>(certs)?.certificates ?? [];
  const detailH = 3;
  const epH = Math.max(4, Math.min(eps.length + 2, Math.floor((height - detailH) / 2)));
  const certH = Math.max(3, height - epH - detailH);
  const f = focus % 2;
  const rows = f === 0 ? eps.length : files.length;
  useNavReport(report, 'endpoints', rows, 2, (f === 0 ? epH : certH) - 2);
  if (!http && !certs)
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate">{'– no endpoints or certificates — set targets.http and targets.certificates'}</Text>
      </Box>
    );
  const sel = clampRow(selected, rows);
  const e = f === 0 ? eps[sel] : undefined;
  const c = f === 1 ? files[sel] : undefined;
  const detail: string[] = e
    ? [
        `${e.method} ${e.url}${e.status !== null ? ` → ${e.status}` : ''} in ${ms(e.latencyMs)}` +
          (e.error ? ` · ${e.error}` : ''),
        e.certificate
          ? `certificate ${e.certificate.subject} · issuer ${e.certificate.issuer}`
          : e.url.startsWith('https:')
            ? 'no certificate (no TLS handshake)'
            : 'plain http: no certificate',
        e.certificate ? `valid to ${date(e.certificate.validTo)} · ${days(e.daysLeft)} left` : '',
      ]
    : c
      ? [
          c.file,
          c.error ?? `subject ${c.subject ?? ''} · issuer ${c.issuer ?? ''}`,
          c.error ? '' : `valid to ${date(c.validTo)} · ${days(c.daysLeft)} left`,
        ]
      : [];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Section title="Endpoints" focused={f === 0} width={width} height={epH}>
        {http && eps.length === 0 ? <TargetStatus target={http} name="Endpoints" /> : null}
        <Table
          columns={endpointCols(httpLevels)}
          rows={eps}
          width={width}
          height={epH - 1}
          selected={f === 0 ? sel : -1}
          active={f === 0}
          rowKey={(r) => r.name}
          empty={http ? 'waiting for the first answers' : 'no endpoints — set targets.http'}
        />
      </Section>
      <Section title="Certificates" focused={f === 1} width={width} height={certH}>
        <Table
          columns={certCols(certLevels)}
          rows={files}
          width={width}
          height={certH - 1}
          selected={f === 1 ? sel : -1}
          active={f === 1}
          rowKey={(r) => r.instance}
          empty={certs ? 'waiting for the first reading' : 'no certificate files — set targets.certificates'}
        />
      </Section>
      <Box flexDirection="column" height={detailH}>
        {detail.map((line, i) => (
          <Text key={i} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
    </Box>
  );
});
