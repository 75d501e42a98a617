// Generic plan UI, for any Plan (containers, services; the Backups view's "take a backup" and
// "prune" can render these with their own data): PlanConfirm shows the plan — each step's exact
// command — and who is affected, then asks for a yes or the typed target name; PlanProgress
// shows each step's state as a symbol and a word (readable without colour), its output tail and
// the summary. Both take plain data and a scroll offset; the question or status stays pinned.
import { Box } from 'ink';
import { memo } from 'react';
import type { Confirmation } from '../../plan/confirm.js';
import type { PlanRun } from '../../plan/plan.js';
import type { PlanDialog } from '../../state/action-state.js';
import { PaintedLine, type Span } from '../painted-line.js';
import { resultLabel, runLines, statusColor, statusLabel } from './plan-text.js';

type Row = Span[];

/** The plan and its blast radius as rows (formatPlan's lines, the "Affected" list). */
export function confirmRows(planLines: readonly string[], blast: readonly string[] | null): Row[] {
  const rows: Row[] = planLines.map((l, i) => (i === 0 ? [{ text: l, bold: true }] : /^\s+\d+\./.test(l) ? [{ text: l }] : [{ text: l, dim: true }]));
  rows.push([{ text: '' }]);
  rows.push([{ text: 'Who is affected:', bold: true }]);
  if (blast === null) rows.push([{ text: '  … looking it up' }]);
  else if (blast.length === 0) rows.push([{ text: '  nothing known beyond the target itself' }]);
  else for (const l of blast) rows.push([{ text: `  - ${l}` }]);
  return rows;
}

/** The pinned question rows: a yes, or the name to type with what was typed so far. */
export function questionRows(confirmation: Confirmation | null, answer: string, error: string | null): Row[] {
  if (!confirmation) return [[{ text: '… preparing the plan (Esc closes)' }]];
  const rows: Row[] = [];
  if (confirmation.kind === 'type') {
    rows.push([{ text: `⚠ ${confirmation.question}`, bold: true, color: 'red' }]);
    rows.push([{ text: '> ' }, { text: `${answer}▏`, bold: true }]);
  } else if (confirmation.kind === 'yes') rows.push([{ text: `${confirmation.question}  (y: yes, n/Esc: no)`, bold: true }]);
  if (error) rows.push([{ text: `✗ ${error}`, color: 'red' }]);
  return rows;
}

/** The progress rows: each step with its state, exact command and output tail, then the summary. */
export function progressRows(run: PlanRun): Row[] {
  return runLines(run).map((l): Row => {
    if (l.kind === 'step' && l.status) return [{ text: `${statusLabel(l.status).padEnd(12)}`, bold: true, color: statusColor(l.status) }, { text: l.text }];
    if (l.kind === 'command') return [{ text: `            ${l.text.trimStart()}`, dim: true }];
    if (l.kind === 'output') return [{ text: `            ${l.text.trimStart()}` }];
    if (l.kind === 'error') return [{ text: `            ✗ ${l.text.trimStart()}`, color: 'red' }];
    return [{ text: l.text, bold: l.kind === 'summary' && l.text.startsWith('Now:') }];
  });
}

function Framed({ title, width, height, scroll, body, pinned }: { title: string; width: number; height: number; scroll: number; body: Row[]; pinned: Row[] }) {
  const inner = Math.max(10, width - 4);
  const room = Math.max(1, height - 3 - pinned.length);
  const start = Math.max(0, Math.min(scroll, body.length - room));
  const more = body.length - start - room;
  const shown = body.slice(start, start + room);
  const marker: Row = [{ text: start > 0 ? `↑ ${start} more (k)` : '', dim: true }, { text: start > 0 && more > 0 ? '  ' : '' }, { text: more > 0 ? `↓ ${more} more (j)` : '', dim: true }];
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1} overflowY="hidden">
      <PaintedLine width={inner} spans={[{ text: title, bold: true, inverse: true }]} />
      {shown.map((r, i) => (
        <PaintedLine key={i} width={inner} spans={r} />
      ))}
      {Array.from({ length: Math.max(0, room - shown.length) }, (_, i) => (
        <PaintedLine key={`pad${i}`} width={inner} spans={[]} />
      ))}
      {pinned.map((r, i) => (
        <PaintedLine key={`pin${i}`} width={inner} spans={i === 0 && (start > 0 || more > 0) ? [...marker, { text: '   ' }, ...r] : r} />
      ))}
    </Box>
  );
}

export interface PlanConfirmProps {
  title: string;
  planLines: readonly string[];
  blast: readonly string[] | null;
  confirmation: Confirmation | null;
  answer: string;
  error: string | null;
  width: number;
  height: number;
  scroll: number;
}

/** The confirmation: the plan, who is affected, and the question. */
export const PlanConfirm = memo(function PlanConfirm(p: PlanConfirmProps) {
  return <Framed title={` ${p.title} `} width={p.width} height={p.height} scroll={p.scroll} body={confirmRows(p.planLines, p.blast)} pinned={[[{ text: '' }], ...questionRows(p.confirmation, p.answer, p.error)]} />;
});

export interface PlanProgressProps {
  title: string;
  /** Null until the first snapshot arrives. */
  run: PlanRun | null;
  /** The run is over (or never started): the panel can be closed. */
  over: boolean;
  cancelling: boolean;
  /** Why there is no run (the plan could not be built). */
  error: string | null;
  width: number;
  height: number;
  scroll: number;
}

/** The progress panel: per-step state, output tails, then the summary and how to close. */
export const PlanProgress = memo(function PlanProgress(p: PlanProgressProps) {
  const body: Row[] = p.run ? progressRows(p.run) : p.over ? [] : [[{ text: '… starting (recording it in the audit trail first)' }]];
  if (p.error) body.push([{ text: `✗ ${p.error}`, color: 'red' }]);
  const over = p.over;
  const state = p.error && !p.run ? '✗ NOT RUN' : resultLabel(p.run);
  const status: Row = over
    ? [{ text: state, bold: true }, { text: '  Esc closes' }]
    : [{ text: state, bold: true }, { text: p.cancelling ? '  cancelling… (a step that cannot be interrupted finishes first)' : '  x/Ctrl-C cancels · Esc puts it away (it goes on)' }];
  return <Framed title={` ${p.title} `} width={p.width} height={p.height} scroll={p.scroll} body={body} pinned={[[{ text: '' }], status]} />;
});

/** The dialog of the action store, in whichever phase it is. */
export const PlanPanel = memo(function PlanPanel({ dialog, width, height }: { dialog: PlanDialog; width: number; height: number }) {
  const title = dialog.action ? `${dialog.title} · ${dialog.action} ${dialog.target}` : dialog.title;
  if (dialog.phase === 'preparing' || dialog.phase === 'confirm') {
    return <PlanConfirm title={title} planLines={dialog.planLines} blast={dialog.blast} confirmation={dialog.confirmation} answer={dialog.answer} error={dialog.error} width={width} height={height} scroll={dialog.scroll} />;
  }
  return <PlanProgress title={title} run={dialog.run} over={dialog.phase === 'done'} cancelling={dialog.cancelling} error={dialog.error} width={width} height={height} scroll={dialog.scroll} />;
});
