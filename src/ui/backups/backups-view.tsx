// The Backups view: the catalog as a table, newest first (time, kind, source, size, age,
// verified, last drill) and what is known about the selected backup. Its tasks — re-verify,
// drill, the restore walkthrough, backup, prune — run in the console's one task flow, whose
// panel the console shows in place of the view; a task put away is named in a line here.
import { Box, Text } from 'ink';
import { memo, useEffect } from 'react';
import { useStore } from 'zustand';
import type { BackupsController } from '../../app/console/backups-controller.js';
import { flowRunning, type FlowKind, type FlowState } from '../../app/console/flow-state.js';
import { useActions, useActionState } from '../actions/action-context.js';
import { useClock, useTimeText } from '../clock.js';
import { useOps } from '../store-context.js';
import { Table } from '../table.js';
import { levelColor, uiColor } from '../theme.js';
import { clampRow, useNavReport, type ViewProps } from '../views/view-props.js';
import { useViewTargets } from '../commands/view-targets.js';
import { keysFor } from '../key-hints.js';
import type { CommandId } from '../keymap.js';
import type { PgReading } from '../../probes/postgres.js';
import { catalogColumns, catalogSummary, entryLines, recoveryPointLine, walWords } from './catalog-columns.js';
import { useBackupsController } from './context.js';

const minuteOf = (now: number): string => String(Math.floor(now / 60_000));

/** The Backups view (or one line saying why there is none). */
export const BackupsView = memo(function BackupsView(props: ViewProps) {
  const ctl = useBackupsController();
  if (!ctl) return <Unavailable {...props} />;
  return <Backups ctl={ctl} {...props} />;
});

function Unavailable({ report }: ViewProps) {
  useNavReport(report, 'backups', 0, 1, 1);
  return <Text wrap="truncate">{'– Backups are not available in this console'}</Text>;
}

function Backups({ ctl, width, height, selected, detail, report }: ViewProps & { ctl: BackupsController }) {
  const catalog = useStore(ctl.store, (s) => s.catalog);
  const task = useStore(ctl.flow.store, (s) => s.flow);
  const notice = useStore(ctl.store, (s) => s.notice);
  const startedReadOnly = useOps((s) => s.readOnly);
  // The server's WAL archiving in words, from the PostgreSQL probe's last good reading: a string,
  // so a poll re-renders the view only when the words change (ages are in minutes).
  const wal = useOps((s) => walWords((s.targets.postgres?.lastOk?.reading as PgReading | undefined)?.wal ?? null));
  const guard = useActionState((s) => s.guard.mode);
  // Re-rendered once a minute (ages are in minutes). The clock ticks once a second: nothing in the
  // catalog is younger than its read, so a drill of a second ago never reads as "future".
  useTimeText(minuteOf);
  const now = Math.max(useClock().now(), catalog.loadedAt ?? 0);
  useEffect(() => ctl.watch(), [ctl]);

  const rows = catalog.entries;
  const sel = clampRow(selected, rows.length);
  const entry = sel >= 0 ? rows[sel] : undefined;
  const info = entry ? entryLines(entry, catalog, now, detail) : [];
  const infoH = Math.min(info.length, detail ? 8 : 3);
  const statusLines = [
    recoveryPointLine(catalog, wal, now),
    catalog.error ? `✗ cannot read ${catalog.root}: ${catalog.error} (showing the last good list)` : '',
    hiddenTaskLine(task),
    notice ?? '',
  ].filter(Boolean);
  const tableH = Math.max(3, height - 1 - statusLines.length - (infoH > 0 ? infoH + 1 : 0));
  useNavReport(report, 'backups', rows.length, 1, tableH - 1);
  useViewTargets('backups', { backup: (at) => rows[clampRow(at, rows.length)] });

  const actions = useActions();
  const locked = actions ? guard === 'read-only' : startedReadOnly;
  const bad = (l: 'CRITICAL' | 'WARNING'): string | undefined => levelColor(l);
  const muted = uiColor('muted');
  const empty =
    catalog.loadedAt === null
      ? 'reading the backup directory…'
      : `no backups in ${catalog.root} yet${locked ? '' : ` — ${keysFor('backups.backup', 1)} takes one now`}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">{catalogSummary(catalog, now)}</Text>
      {statusLines.map((l) => (
        <Text key={l} wrap="truncate" {...(levelColor('WARNING') ? { color: levelColor('WARNING') } : {})}>
          {l}
        </Text>
      ))}
      <Table
        columns={catalogColumns(catalog, now, bad)}
        rows={rows}
        width={width}
        height={tableH}
        selected={sel}
        rowKey={(e) => e.path}
        empty={empty}
      />
      {infoH > 0 ? (
        <Box
          flexDirection="column"
          height={infoH + 1}
          borderStyle="single"
          borderLeft={false}
          borderRight={false}
          borderBottom={false}
        >
          {info.slice(0, infoH).map((l, i) => (
            <Text key={i} wrap="truncate" {...(muted && i > 0 ? { color: muted } : {})}>
              {l}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}

const TASK_COMMAND: Partial<Record<FlowKind, CommandId>> = {
  verify: 'backups.verify',
  drill: 'backups.drill',
  restore: 'backups.restore',
};

/** "drill running in the background — D shows it": a task of this view put away. */
function hiddenTaskLine(task: FlowState | null): string {
  const command = task?.hidden ? TASK_COMMAND[task.detail.kind] : undefined;
  if (!task || !command) return '';
  const where = flowRunning(task) ? 'running in the background' : 'finished';
  return `${task.detail.kind} ${where} — ${keysFor(command, 1)} shows it`;
}
