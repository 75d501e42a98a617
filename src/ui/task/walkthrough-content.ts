// What the restore walkthrough shows at each moment, as plain lines: the preflight checks (and the
// stop when one failed), the nine steps with the exact command of the one that matters, the
// typed confirmation, the comparison table, the rollback offer, and at every exit the one
// sentence about the database. Pure.
import path from 'node:path';
import { formatChecks } from '../../restore/format.js';
import type { FlowDetail, FlowState } from '../../app/console/flow-state.js';
import type { RestoreSnapshot } from '../../restore/types.js';
import { keysFor } from '../key-hints.js';
import { comparisonLines } from './comparison-lines.js';
import type { PanelContent } from './panel.js';
import { elapsed as seconds } from '../../present/format.js';
import { focusStep, stepDetail, stepLines, wrapped, type PanelLine } from './panel-lines.js';

type RestoreDetail = Extract<FlowDetail, { kind: 'restore' }>;
/** The walkthrough's own detail with the flow's typed text and remarks. */
type RestoreTask = RestoreDetail & { typed: string; note: string | null; error: string | null };

const closes = (): PanelLine => ({ text: `${keysFor('task.close')} closes`, tone: 'muted' });

/** The sentence for a walkthrough that stopped before the restore began. */
export function untouchedSentence(database: string): string {
  return `UNTOUCHED: nothing was changed; ${database} is exactly as it was.`;
}

const RESULT_WORD: Record<string, string> = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
  refused: 'REFUSED',
  declined: 'DECLINED',
};

function checkLines(t: RestoreTask): PanelLine[] {
  return formatChecks(t.checks).map((text) => ({
    text,
    ...(text.startsWith('FAIL') ? { tone: 'bad' as const } : text.startsWith('WARN') ? { tone: 'warn' as const } : {}),
  }));
}

function planLines(s: RestoreSnapshot, width: number): PanelLine[] {
  const out: PanelLine[] = [{ text: 'The plan (each command is shown again before it runs):', bold: true }];
  s.steps.forEach((st, i) => {
    out.push({ text: `${i + 1}. ${st.title}` });
    out.push(...wrapped(`   ${st.description.text}`, width, 'muted', '     '));
  });
  return out;
}

function withNote(foot: PanelLine[], note: string | null, width: number): PanelLine[] {
  return note ? [...wrapped(note, width, 'warn'), ...foot] : foot;
}

/** The walkthrough's panel for the flow's current state. */
export function walkthroughContent(
  f: Pick<FlowState, 'typed' | 'note' | 'refusal' | 'error'>,
  d: RestoreDetail,
  width: number,
  now: number,
): PanelContent {
  // A refused name is said where the operator types it.
  return walkthrough({ ...d, typed: f.typed, note: f.refusal ?? f.note, error: f.error }, width, now);
}

function walkthrough(t: RestoreTask, width: number, now: number): PanelContent {
  const title = `restore ${t.database} from ${path.basename(t.file)}`;
  if (t.error) {
    const what = t.snap
      ? `The state of ${t.database} is unknown: last known, ${t.snap.db.text}`
      : untouchedSentence(t.database);
    return {
      title: `Stopped: ${title}`,
      head: wrapped(`✗ The walkthrough ${t.error}`, width, 'bad'),
      body: t.snap ? stepLines(t.snap.steps) : checkLines(t),
      foot: [...wrapped(what, width, 'bad'), closes()],
    };
  }
  if (t.stage === 'preflight') {
    const body = wrapped(
      'Preflight: checking the backup (checksum, full decompression), the server, the target database' +
        ' and its owner, the connections and the application services. Nothing is changed.',
      width,
      'muted',
    );
    return {
      title: `Preflight: ${title}`,
      head: [],
      body,
      foot: withNote([{ text: `${keysFor('task.cancel', 1)} cancels`, tone: 'muted' }], t.note, width),
    };
  }
  if (t.stage === 'refused') {
    return {
      title: `Stopped at preflight: ${title}`,
      head: [{ text: 'Preflight FAILED: the restore stops here.', tone: 'bad', bold: true }],
      body: checkLines(t),
      foot: [...wrapped(untouchedSentence(t.database), width, 'ok'), closes()],
    };
  }
  const s = t.snap;
  if (!s)
    return { title: `Starting: ${title}`, head: [], body: checkLines(t), foot: [{ text: 'starting…', tone: 'muted' }] };
  const q = s.phase === 'confirming' ? s.pending : undefined;
  if (q?.stage === 'start') {
    return {
      title: `Preflight passed: ${title}`,
      head: [{ text: 'Preflight passed. Nothing has been changed yet.', tone: 'ok', bold: true }],
      body: [...checkLines(t), { text: '' }, ...planLines(s, width)],
      foot: withNote(
        [
          ...wrapped(q.question, width),
          {
            text: `${keysFor('question.yes')}: begin · ${keysFor('question.no', 2)}: close, nothing is changed`,
            bold: true,
          },
        ],
        t.note,
        width,
      ),
    };
  }
  const steps = stepLines(s.steps);
  if (s.phase === 'done') return doneContent(t, s, title, width);
  const focus = focusStep(s.steps);
  const body: PanelLine[] = focus ? stepDetail(focus, width) : [];
  if (s.recovery) {
    const rec = focusStep(s.recovery.steps);
    body.unshift(
      {
        text:
          s.recovery.action === 'restore.rollback'
            ? 'Rollback: putting the safety dump back'
            : 'Undo: opening the database and starting the services again',
        bold: true,
      },
      ...stepLines(s.recovery.steps),
    );
    if (rec) body.push(...stepDetail(rec, width));
  }
  if (q?.kind === 'type') {
    const confirms = `${keysFor('typing.accept')} confirms`;
    const aborts = `${keysFor('typing.cancel', 1)} aborts: nothing is dropped (services are started again)`;
    const prompt: PanelLine[] = [
      ...wrapped(q.question, width, 'warn'),
      { text: `> ${t.typed}▏`, bold: true },
      { text: `${confirms} · ${aborts}`, tone: 'muted' },
    ];
    return { title: `Confirm the drop: ${title}`, head: steps, body, foot: withNote(prompt, t.note, width) };
  }
  if (q?.stage === 'rollback') {
    if (s.comparison && !s.comparison.ok) body.push(...comparisonLines(s.comparison, width));
    const yes = `${keysFor('question.yes')}: put the safety dump back`;
    const no = `${keysFor('question.no', 1)}: leave the database as it is now`;
    const foot = [...wrapped(q.question, width, 'bad'), { text: `${yes} · ${no}`, bold: true }];
    return { title: `FAILED after the drop: ${title}`, head: steps, body, foot: withNote(foot, t.note, width) };
  }
  const elapsed = seconds(now - s.startedAt);
  return {
    title: `Running ${elapsed}: ${title}`,
    head: steps,
    body,
    foot: withNote(
      [{ text: `${keysFor('task.cancel', 1)} cancels at the next safe point`, tone: 'muted' }],
      t.note,
      width,
    ),
  };
}

function doneContent(t: RestoreTask, s: RestoreSnapshot, title: string, width: number): PanelContent {
  const word = RESULT_WORD[s.result ?? ''] ?? 'OVER';
  const ok = s.result === 'succeeded';
  const head: PanelLine[] = wrapped(s.summary[0] ?? word, width, ok ? 'ok' : 'bad');
  const body: PanelLine[] = [];
  if (s.comparison) body.push(...comparisonLines(s.comparison, width));
  if (s.recovery) {
    const r = s.recovery;
    body.push(
      { text: `${r.action === 'restore.rollback' ? 'Rollback' : 'Undo'}: ${r.result ?? 'not finished'}`, bold: true },
      ...stepLines(r.steps),
    );
    if (r.comparison) body.push(...comparisonLines(r.comparison, width));
  }
  body.push({ text: 'Steps:', bold: true }, ...stepLines(s.steps));
  for (const l of s.summary.slice(2)) body.push(...wrapped(l, width));
  const sentence = wrapped(
    s.db.text,
    width,
    s.db.kind === 'restored' || s.db.kind === 'untouched' || s.db.kind === 'rolled-back' ? 'ok' : 'bad',
  );
  const took = s.durationMs !== undefined ? ` in ${seconds(s.durationMs)}` : '';
  return {
    title: `${word}${took}: ${title}`,
    head,
    body,
    foot: withNote([...sentence.map((l) => ({ ...l, bold: true })), closes()], t.note, width),
  };
}
