// The Logs view: follows one source (a configured file, command or container, or the container
// chosen with L in the Containers view) through the pane's bounded buffer. Space pauses, `/`
// filters (substring or /regex/, matches in reverse video), j/k/PgUp/PgDn scroll back (which
// pauses), G/End jumps to the newest line and follows again, `o` picks another source. The
// header counts errors per minute. Lines are painted (painted-line.tsx): a flood of distinct
// lines costs Ink's caches nothing.
import { Box } from 'ink';
import { memo, useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { showArgv } from '../../plan/plan.js';
import type { LogSourceConfig } from '../../config/schema.js';
import { useActions, useActionState } from '../actions/action-context.js';
import { LogPane, sourceKey, type HistorySearch } from '../../app/console/log-pane.js';
import { classify } from '../../logs/classify.js';
import { sparkline } from '../sparkline.js';
import { useViewTargets } from '../commands/view-targets.js';
import { keysFor } from '../key-hints.js';
import { logsHandle, type LogsScroll } from '../logs/logs-handle.js';
import { headerSpans, lineSpans, scrollWindow } from '../logs/log-text.js';
import { accessPanelLines } from '../logs/access-text.js';
import { PaintedLine, type Span } from '../painted-line.js';
import { useNavReport, type ViewProps } from './view-props.js';
import { groupDigits } from '../../util/text.js';

const IDLE = new LogPane(() => Promise.reject(new Error('no actions in this console')));

/** How to get a log source, for an empty source list and an empty pane. */
function addSource(): string {
  return `add logs.sources to the config, or press ${keysFor('container.logs')} on a container in the Containers view`;
}

/** What a source follows, in words. */
export function sourceText(s: LogSourceConfig): string {
  if (s.file !== undefined) return `file ${s.file}`;
  if (s.command !== undefined) return `command ${showArgv(s.command)}`;
  if (s.journal !== undefined) {
    const j = s.journal;
    const parts = [j.unit && `-u ${j.unit}`, j.priority !== undefined && `-p ${j.priority}`, j.directory, j.file];
    return ['journal', ...parts.filter(Boolean)].join(' ');
  }
  return `container ${s.container ?? '?'}`;
}

/** The configured sources plus the current one when it is not among them (a container chosen with L). */
export function sourceChoices(
  configured: readonly LogSourceConfig[],
  current: LogSourceConfig | null,
): LogSourceConfig[] {
  const list = [...configured];
  if (current && !list.some((s) => sourceKey(s) === sourceKey(current))) list.push(current);
  return list;
}

function Picker({
  choices,
  selected,
  current,
  width,
  height,
}: {
  choices: LogSourceConfig[];
  selected: number;
  current: LogSourceConfig | null;
  width: number;
  height: number;
}) {
  const rows: Span[][] = [
    [
      {
        text: `Choose a log source (${keysFor('drill')} follows it, ${keysFor('back')} keeps the current one)`,
        bold: true,
      },
    ],
  ];
  choices.forEach((c, i) => {
    const here = current !== null && sourceKey(c) === sourceKey(current);
    rows.push([
      { text: i === selected ? '› ' : '  ', inverse: i === selected },
      { text: c.name, bold: true, inverse: i === selected },
      { text: `  ${sourceText(c)}${here ? '  (current)' : ''}`, inverse: i === selected },
    ]);
  });
  if (choices.length === 0) rows.push([{ text: `  no sources: ${addSource()}` }]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.slice(0, height).map((r, i) => (
        <PaintedLine key={i} width={width} spans={r} />
      ))}
    </Box>
  );
}

/** A history search: progress, errors per hour over the last 24 h, then the newest matches first. */
function History({ h, width, height }: { h: HistorySearch; width: number; height: number }) {
  const state = h.error
    ? `✗ ${h.error}`
    : h.done
      ? h.cancelled
        ? 'cancelled'
        : 'done'
      : `searching file ${Math.max(1, h.filesDone)} of ${h.files || '?'}…`;
  const rows: Span[][] = [
    [
      { text: `HISTORY ${h.source}`, bold: true },
      {
        text: `  ${h.query ? `matching ${h.query}` : 'every line'} · ${groupDigits(h.count)} lines in ${h.files} files · ${state} (${keysFor('back')} closes)`, // eslint-disable-line @stylistic/max-len
      },
    ],
  ];
  if (h.perHour) {
    const counts = h.perHour.map((x) => x.errors);
    const max = Math.max(1, ...counts);
    const total = counts.reduce((a, b) => a + b, 0);
    rows.push([
      { text: 'errors/hour, last 24 h ' },
      { text: sparkline(counts, counts.length, 0, max), bold: true },
      { text: `  ${groupDigits(total)} errors, most ${groupDigits(Math.max(...counts))} in an hour` },
    ]);
  }
  for (const m of h.matches.slice(0, Math.max(0, height - rows.length)))
    rows.push(lineSpans({ seq: 0, time: 0, text: m.text, level: classify(m.text) }, null));
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.slice(0, height).map((r, i) => (
        <PaintedLine key={i} width={width} spans={r} />
      ))}
    </Box>
  );
}

/** The Logs view. */
export const LogsView = memo(function LogsView({ width, height, report }: ViewProps) {
  const ctl = useActions();
  const pane = ctl?.logs ?? IDLE;
  const source = useActionState((s) => s.logSource);
  useSyncExternalStore(pane.subscribe, pane.version, pane.version);
  const [scroll, setScrollState] = useState<LogsScroll>({ offset: 0, picker: null });
  // Several keys can arrive before the next render: each must see the one before it.
  const scrollRef = useRef(scroll);
  const setScroll = useCallback((next: LogsScroll) => {
    scrollRef.current = next;
    setScrollState(next);
  }, []);
  const tail = pane.tail();
  // An access log gets its panel above the lines (counts of the chosen window).
  const panel = tail?.access ? accessPanelLines(tail.access.summary(tail.accessWindow), keysFor('logs.window')) : [];
  const rows = Math.max(1, height - 2 - panel.length);
  useNavReport(report, 'logs', 0, 1, rows);
  useEffect(() => {
    if (source && ctl) ctl.logs.show(source);
  }, [ctl, source]);

  const view = tail ? tail.view(rows + scroll.offset) : { lines: [], newer: 0 };
  const win = scrollWindow(view.lines, rows, scroll.offset);
  // Scrolled past the oldest line (g, or lines fell out of the buffer): keep the offset real.
  useEffect(() => {
    if (win.offset !== scroll.offset) setScroll({ ...scrollRef.current, offset: win.offset });
  }, [win.offset, scroll.offset, setScroll]);
  const configured = ctl?.actions.logSources ?? [];
  // Nothing configured: offer what this host has, looked for once when the view first needs it.
  const discovered = ctl && configured.length === 0 ? pane.discovered() : null;
  const choices = sourceChoices(configured.length > 0 ? configured : (discovered ?? []), source);
  useViewTargets('logs', {
    logs: logsHandle(ctl, pane, () => scrollRef.current, setScroll, { page: rows, choices, current: source }),
  });

  if (scroll.picker !== null)
    return <Picker choices={choices} selected={scroll.picker} current={source} width={width} height={height} />;
  const history = pane.history();
  if (history) return <History h={history} width={width} height={height} />;
  const failure = pane.failure();
  const header = headerSpans({
    source: source ? source.name : 'no source',
    detail: source ? sourceText(source) : '',
    paused: tail?.paused ?? false,
    stats: tail?.stats() ?? null,
    filter: pane.filter(),
    shown: view.lines.length,
    ended: tail?.ended,
    status: tail?.lastStatus ?? (source ? 'starting…' : ''),
  });
  let empty = '';
  if (!ctl) empty = 'this console was started without actions: no log tails';
  else if (!source && configured.length === 0 && discovered === null) empty = 'looking for logs on this host…';
  else if (!source && configured.length === 0 && discovered && discovered.length > 0)
    empty = `no logs.sources configured; on this host: ${discovered.map((d) => d.name).join(', ')} (${keysFor('logs.source')} chooses)`; // eslint-disable-line @stylistic/max-len
  else if (!source) empty = `no log source: ${addSource()} (${keysFor('logs.source')} chooses)`;
  else if (failure) empty = `✗ ${failure}`;
  else if (win.shown.length === 0) empty = pane.filter() ? `no line matches ${pane.filter()} yet` : 'no lines yet';
  const below = view.newer + win.offset;
  const newer = `▼ ${groupDigits(below)} newer line${below === 1 ? '' : 's'}`;
  const footer: Span[] =
    below > 0 || tail?.paused
      ? [
          {
            text: tail?.paused ? `${newer} — ${keysFor('bottom')} follows, ${keysFor('logs.pause')} resumes` : '',
            bold: true,
          },
        ]
      : [
          {
            text: win.above > 0 ? `↑ ${win.above} earlier lines (${keysFor('up')}/${keysFor('page.up', 1)})` : '',
            dim: true,
          },
        ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <PaintedLine width={width} spans={header} />
      {panel.map((spans, i) => (
        <PaintedLine key={`access${i}`} width={width} spans={spans} />
      ))}
      {empty ? <PaintedLine width={width} spans={[{ text: empty }]} /> : null}
      {win.shown.map((l, i) => (
        <PaintedLine key={i} width={width} spans={lineSpans(l, tail?.filter ?? null)} />
      ))}
      {Array.from({ length: Math.max(0, rows - win.shown.length - (empty ? 1 : 0)) }, (_, i) => (
        <PaintedLine key={`pad${i}`} width={width} spans={[]} />
      ))}
      <PaintedLine width={width} spans={footer} />
    </Box>
  );
});
