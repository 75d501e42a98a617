// What the task panel shows for a plan (containers, services, backup, prune, or any other Plan):
// the plan — each step's exact command — and who is affected, with the question pinned below
// (a yes, or the target's name typed); then each step's state as a symbol and a word (readable
// without colour), its output tail and the summary. Pure: the flow's state in, lines out.
import type { FlowState, PlanShown } from '../../app/console/flow-state.js';
import type { PlanRun, StepStatus } from '../../plan/plan.js';
import { keysFor } from '../key-hints.js';
import type { PanelContent } from './panel.js';
import type { PanelLine, Tone } from './panel-lines.js';
import { resultLabel, runLines, statusLabel } from './plan-text.js';

const TONES: Partial<Record<StepStatus, Tone>> = { running: 'accent', done: 'ok', failed: 'bad', cancelled: 'warn' };

/** The plan and its blast radius (formatPlan's lines, the "Who is affected" list). */
export function confirmLines(planLines: readonly string[], blast: readonly string[] | null): PanelLine[] {
  const rows: PanelLine[] = planLines.map((l, i) =>
    i === 0 ? { text: l, bold: true } : /^\s+\d+\./.test(l) ? { text: l } : { text: l, tone: 'muted' },
  );
  rows.push({ text: '' });
  rows.push({ text: 'Who is affected:', bold: true });
  if (blast === null) rows.push({ text: '  … looking it up' });
  else if (blast.length === 0) rows.push({ text: '  nothing known beyond the target itself' });
  else for (const l of blast) rows.push({ text: `  - ${l}` });
  return rows;
}

/** The pinned question: a yes, or the name to type with what was typed so far and why it was refused. */
export function questionLines(f: Pick<FlowState, 'question' | 'typed' | 'refusal' | 'phase'>): PanelLine[] {
  const q = f.question;
  if (!q)
    return f.phase === 'preparing' ? [{ text: `… preparing the plan (${keysFor('question.no', 2)} closes)` }] : [];
  const rows: PanelLine[] = [];
  if (q.kind === 'type') {
    rows.push({ text: `⚠ ${q.question}`, bold: true, tone: 'bad' });
    rows.push({ text: `> ${f.typed}▏`, bold: true });
  } else
    rows.push({
      text: `${q.question}  (${keysFor('question.yes')}: yes, ${keysFor('question.no', 2)}: no)`,
      bold: true,
    });
  if (f.refusal) rows.push({ text: `✗ ${f.refusal}`, tone: 'bad' });
  return rows;
}

/** The progress lines: each step with its state, exact command and output tail, then the summary. */
export function progressLines(run: PlanRun): PanelLine[] {
  const pad = '            ';
  return runLines(run).map((l): PanelLine => {
    if (l.kind === 'step' && l.status) {
      const tone = TONES[l.status];
      return { lead: { text: statusLabel(l.status).padEnd(12), bold: true, ...(tone ? { tone } : {}) }, text: l.text };
    }
    if (l.kind === 'command') return { text: `${pad}${l.text.trimStart()}`, tone: 'muted' };
    if (l.kind === 'output') return { text: `${pad}${l.text.trimStart()}` };
    if (l.kind === 'error') return { text: `${pad}✗ ${l.text.trimStart()}`, tone: 'bad' };
    return { text: l.text, bold: l.kind === 'summary' && l.text.startsWith('Now:') };
  });
}

/** The task panel for a plan, in whichever phase the flow is. */
export function planContent(f: FlowState, d: PlanShown): PanelContent {
  const title = d.action ? `${f.title} · ${d.action} ${d.target}` : f.title;
  if (f.phase === 'preparing' || f.phase === 'shown')
    return { title, head: [], body: confirmLines(d.lines, d.blast), foot: [{ text: '' }, ...questionLines(f)] };
  const over = f.phase === 'summary';
  const body: PanelLine[] = d.run
    ? progressLines(d.run)
    : over
      ? []
      : [{ text: '… starting (recording it in the audit trail first)' }];
  if (f.error) body.push({ text: `✗ ${f.error}`, tone: 'bad' });
  const state = f.error && !d.run ? '✗ NOT RUN' : resultLabel(d.run);
  const status = over
    ? `  ${keysFor('task.close')} closes`
    : f.cancelling
      ? '  cancelling… (a step that cannot be interrupted finishes first)'
      : `  ${keysFor('task.cancel')} cancels · ${keysFor('task.close')} puts it away (it goes on)`;
  return { title, head: [], body, foot: [{ text: '' }, { lead: { text: state, bold: true }, text: status }] };
}
