// What the task panel shows for a re-verify and a drill, as plain lines. Pure: the flow's state
// in, a PanelContent out (plans and the restore walkthrough have their own).
import path from 'node:path';
import type { PlanRun } from '../../plan/plan.js';
import { formatChecks, formatDrillLine } from '../../restore/format.js';
import type { FlowDetail, FlowState } from '../../app/console/flow-state.js';
import { keysFor } from '../key-hints.js';
import { comparisonLines } from './comparison-lines.js';
import type { PanelContent } from './panel.js';
import { elapsed as seconds } from '../../present/format.js';
import { focusStep, stepDetail, stepLines, wrapped, type PanelLine } from './panel-lines.js';

type Verify = Extract<FlowDetail, { kind: 'verify' }>;
type Drill = Extract<FlowDetail, { kind: 'drill' }>;

const runningNote = (): PanelLine => ({
  text: `${keysFor('task.cancel', 1)} cancels · ${keysFor('task.close')} hides this panel (the job goes on)`,
  tone: 'muted',
});
const closes = (): PanelLine => ({ text: `${keysFor('task.close')} closes`, tone: 'muted' });

function runLines(run: Pick<PlanRun, 'steps'> | null, width: number): PanelLine[] {
  if (!run) return [{ text: 'starting…', tone: 'muted' }];
  const focus = focusStep(run.steps);
  return [...stepLines(run.steps), ...(focus && focus.status !== 'pending' ? stepDetail(focus, width) : [])];
}

function withNote(foot: PanelLine[], note: string | null, width: number): PanelLine[] {
  return note ? [...wrapped(note, width, 'warn'), ...foot] : foot;
}

/** The re-verify result and whether it was recorded. */
function verdictText(r: NonNullable<Verify['report']>): string {
  const result = r.ok ? '✓ VERIFIED' : `✗ NOT VERIFIED: ${r.message}`;
  return `${result}${r.recorded ? ' (recorded in the sidecar)' : ' (not recorded: no sidecar)'}`;
}

/** The re-verify panel. */
export function verifyContent(f: FlowState, t: Verify, width: number): PanelContent {
  const title = `Re-verify ${path.basename(t.file)}`;
  if (f.error) return { title, head: [], body: wrapped(`✗ ${f.error}`, width, 'bad'), foot: [closes()] };
  if (f.phase !== 'summary')
    return { title, head: [], body: runLines(t.run, width), foot: withNote([runningNote()], f.note, width) };
  const r = t.report;
  const body: PanelLine[] = r
    ? r.checks.map((c) => ({
        text: `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`,
        ...(c.ok ? {} : { tone: 'bad' as const }),
      }))
    : runLines(t.run, width);
  const verdict: PanelLine[] = r
    ? wrapped(verdictText(r), width, r.ok ? 'ok' : 'bad')
    : wrapped(`✗ could not verify: ${t.run?.error ?? t.run?.result ?? 'unknown error'}`, width, 'bad');
  return { title, head: [], body, foot: withNote([...verdict, closes()], f.note, width) };
}

/** The drill panel: the four steps, then the result, the comparison table, the time it took and what is left. */
/** "took 12.3 s (load 9.1 s, verify 2.0 s)", each part only when it was timed. */
export function drillTiming(r: { durationMs: number; loadMs?: number; verifyMs?: number }): string {
  const parts = [
    r.loadMs !== undefined ? `load ${seconds(r.loadMs)}` : null,
    r.verifyMs !== undefined ? `verify ${seconds(r.verifyMs)}` : null,
  ].filter((p): p is string => p !== null);
  return `took ${seconds(r.durationMs)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export function drillContent(f: FlowState, t: Drill, width: number): PanelContent {
  const s = t.snap;
  const title = `Drill ${path.basename(t.file)}${s ? ` → ${s.scratch}` : ''}`;
  if (f.error) {
    const left = s ? `If ${s.scratch} still exists, drop it by hand.` : 'Nothing was done.';
    return {
      title,
      head: [],
      body: wrapped(`✗ ${f.error}`, width, 'bad'),
      foot: [{ text: `${left} ${keysFor('task.close')} closes`, tone: 'muted' }],
    };
  }
  if (!s || s.phase !== 'done') {
    const body: PanelLine[] =
      !s || s.phase === 'preflight'
        ? [{ text: 'preflight: checking the backup and the server…', tone: 'muted' }]
        : runLines(s, width);
    return {
      title,
      head: [],
      body,
      foot: withNote(
        [{ text: `${keysFor('task.cancel', 1)} cancels (the scratch database is dropped either way)`, tone: 'muted' }],
        f.note,
        width,
      ),
    };
  }
  const ok = s.record?.ok === true;
  const head: PanelLine[] = wrapped(formatDrillLine(s), width, ok ? 'ok' : 'bad');
  const r = s.record;
  if (r) {
    head.push({ text: drillTiming(r) });
  }
  const body: PanelLine[] = [];
  if (s.comparison) body.push(...comparisonLines(s.comparison, width));
  const failedChecks = formatChecks(s.checks.filter((c) => c.status === 'fail'));
  if (failedChecks.length)
    body.push({ text: 'Preflight:', bold: true }, ...failedChecks.map((text) => ({ text, tone: 'bad' as const })));
  if (!ok && s.steps.length) body.push(...stepLines(s.steps));
  const after = s.summary
    .slice(1)
    .flatMap((l) => wrapped(l, width, /STILL THERE|Could NOT/.test(l) ? 'bad' : undefined));
  return { title, head, body, foot: withNote([...after, closes()], f.note, width) };
}
