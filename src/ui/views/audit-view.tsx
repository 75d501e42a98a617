// The Audit view: the latest entries of the audit trail, newest first — time, operator, event,
// action, target, duration, error or reason — read again whenever an action ends or arming
// changes (and every 10 s, for entries written by the CLI). Enter shows the selected entry's steps.
import { Box, Text } from 'ink';
import { memo, useEffect, useState } from 'react';
import type { AuditEntry, AuditEventName } from '../../plan/audit.js';
import { errorText } from '../../plan/errors.js';
import { useActions, useActionState } from '../actions/action-context.js';
import { PaintedLine } from '../painted-line.js';
import { Table, type Column } from '../table.js';
import { levelColor } from '../theme.js';
import { clampRow, useNavReport, type ViewProps } from './view-props.js';
import { localSecond, seconds } from '../../present/format.js';
import { DetailBox } from './detail-box.js';

const LIMIT = 200;
const POLL_MS = 10_000;
const DETAIL_LINES = 6;

const EVENT_LABEL: Record<AuditEventName, string> = {
  confirmed: '▶ confirmed',
  succeeded: '✓ succeeded',
  failed: '✗ failed',
  refused: '⊘ refused',
  cancelled: '⊘ cancelled',
  armed: '⚑ armed',
  disarmed: '⚐ disarmed',
};

/** Who acted, as one word: `alice`, `alice(root)`, `alice@10.0.0.5:51234`. */
export function operatorText(e: AuditEntry): string {
  const o = e.operator;
  return `${o.sudoUser ? `${o.sudoUser}(${o.user})` : o.user}${o.origin ? `@${o.origin}` : ''}`;
}

/** "2025-01-15 03:00:12" in local time. */
export function auditTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return localSecond(d.getTime());
}

function useAuditEntries(): { entries: AuditEntry[]; error: string | null } {
  const ctl = useActions();
  const version = useActionState((s) => s.auditVersion);
  const [st, setSt] = useState<{ entries: AuditEntry[]; error: string | null }>({ entries: [], error: null });
  useEffect(() => {
    if (!ctl) return undefined;
    let alive = true;
    let timer: NodeJS.Timeout | undefined;
    const read = () => {
      ctl.actions
        .readAudit(LIMIT)
        .then(
          (entries) => alive && setSt({ entries: entries.reverse(), error: null }),
          (err: unknown) => alive && setSt((prev) => ({ ...prev, error: errorText(err) })),
        )
        .finally(() => {
          if (alive) timer = setTimeout(read, POLL_MS);
        });
    };
    read();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [ctl, version]);
  return st;
}

/** The Audit view. */
export const AuditView = memo(function AuditView({ width, height, selected, detail, report }: ViewProps) {
  const ctl = useActions();
  const { entries, error } = useAuditEntries();
  const tableH = Math.max(3, height - 1 - (detail ? DETAIL_LINES : 0));
  useNavReport(report, 'audit', entries.length, 1, tableH - 1);
  const sel = clampRow(selected, entries.length);
  const bad = (e: AuditEntry) =>
    e.event === 'failed'
      ? levelColor('CRITICAL')
      : e.event === 'refused' || e.event === 'cancelled'
        ? levelColor('WARNING')
        : undefined;
  const columns: Column<AuditEntry>[] = [
    { id: 'time', header: 'time', min: 19, max: 19, value: (e) => auditTime(e.time) },
    { id: 'who', header: 'operator', min: 8, max: 24, drop: 2, value: operatorText },
    { id: 'event', header: 'result', min: 11, max: 11, value: (e) => EVENT_LABEL[e.event] ?? e.event, color: bad },
    { id: 'action', header: 'action', min: 12, max: 24, value: (e) => e.action },
    { id: 'target', header: 'target', min: 8, max: 30, flex: 1, value: (e) => e.target },
    {
      id: 'dur',
      header: 'took',
      min: 6,
      align: 'right',
      drop: 1,
      value: (e) => (e.durationMs === undefined ? '' : seconds(e.durationMs)),
    },
    {
      id: 'why',
      header: 'error / reason',
      min: 12,
      max: 80,
      flex: 2,
      drop: 3,
      value: (e) => e.error ?? e.reason ?? '',
    },
  ];
  const chosen = sel >= 0 ? entries[sel] : undefined;
  const unreadable = error ? ` · ✗ cannot read the audit trail: ${error}` : '';
  const head = !ctl
    ? 'this console was started without actions: no audit trail'
    : `${entries.length} latest audit entries, newest first${unreadable}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">{head}</Text>
      <Table
        columns={columns}
        rows={entries}
        width={width}
        height={tableH}
        selected={sel}
        rowKey={(e, i) => `${e.time}|${i}`}
        empty="no entries yet: every action, refusal and arming is recorded here"
      />
      {detail && chosen ? (
        <DetailBox height={DETAIL_LINES}>
          <PaintedLine
            width={width}
            spans={[
              {
                text: `${chosen.event} ${chosen.action} ${chosen.target} by ${operatorText(chosen)} on ${chosen.host}`,
                bold: true,
              },
            ]}
          />
          <PaintedLine
            width={width}
            spans={[
              {
                text: chosen.error
                  ? `error: ${chosen.error}`
                  : chosen.reason
                    ? `reason: ${chosen.reason}`
                    : chosen.until
                      ? `until ${chosen.until}`
                      : '',
              },
            ]}
          />
          {(chosen.steps ?? []).slice(0, DETAIL_LINES - 3).map((s, i) => (
            <PaintedLine key={i} width={width} spans={[{ text: `  ${i + 1}. ${s}`, dim: true }]} />
          ))}
        </DetailBox>
      ) : null}
    </Box>
  );
});
