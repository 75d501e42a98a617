// The one task flow of the console, as plain data and a pure reducer with named actions: a plan
// is shown (with who is affected), a question is asked (a yes, or a name typed), the task runs
// with per-step progress, and a summary stays up until it is closed. Container and service
// actions, backup, prune, re-verify, drill and the restore walkthrough are all kinds of one
// flow; what differs is the detail each kind carries for its panel. Tested without rendering.
import type { VerifyReport } from '../../backup/verify.js';
import type { Danger, PlanRun } from '../../plan/plan.js';
import type { DrillSnapshot } from '../../restore/drill.js';
import type { Check, RestoreSnapshot } from '../../restore/types.js';

/** The keyboard modes of the flow: progress and summary, a yes/no question, a typed name. */
export type FlowMode = 'task' | 'question' | 'typing';

/** preparing: building the plan; shown: the plan is up (a question is asked); running; summary: it is over. */
export type FlowPhase = 'preparing' | 'shown' | 'running' | 'summary';

/** A question the flow asks: a yes, or a name to type exactly. `stage` says which (a restore asks three). */
export type FlowQuestion =
  | { kind: 'yes'; question: string; stage?: string }
  | { kind: 'type'; question: string; expect: string; stage?: string };

/**
 * What Esc does while the task runs: put it away and flash its result (plans), put it away quietly
 * (the Backups view shows it), cancel it, or stay (a restore past its preflight).
 */
export type Background = 'flash' | 'keep' | 'cancel' | 'stay';

/** A plan as shown before it runs. */
export interface PlanShown {
  action: string;
  target: string;
  danger: Danger | null;
  /** formatPlan's lines: the header, then each step with its exact command. */
  lines: string[];
  /** Who is affected; null while it is being looked up. */
  blast: string[] | null;
  run: PlanRun | null;
}

export type FlowDetail =
  | ({ kind: 'plan' } & PlanShown)
  | { kind: 'verify'; file: string; run: PlanRun | null; report: VerifyReport | null }
  | { kind: 'drill'; file: string; snap: DrillSnapshot | null }
  | {
      kind: 'restore';
      file: string;
      database: string;
      stage: 'preflight' | 'refused' | 'walk';
      checks: Check[];
      snap: RestoreSnapshot | null;
      startedAt: number;
    };

export type FlowKind = FlowDetail['kind'];

/** The open task, plain data only. */
export interface FlowState {
  /** Increases with every task, so a late update for an old one is dropped. */
  id: number;
  title: string;
  phase: FlowPhase;
  detail: FlowDetail;
  question: FlowQuestion | null;
  /** What the operator has typed for a typed question. */
  typed: string;
  /** Why a typed answer was not accepted. */
  refusal: string | null;
  /** Why the task stopped before its end (it could not start, or broke). */
  error: string | null;
  /** A one-line remark for the operator ("Cancelling at the next safe point…"). */
  note: string | null;
  cancelling: boolean;
  /** Put away by the operator while it runs on. */
  hidden: boolean;
  background: Background;
  /** Lines scrolled down in the panel. */
  scroll: number;
}

export type FlowAction =
  | { type: 'open'; id: number; title: string; detail: FlowDetail; background: Background; phase?: FlowPhase }
  | {
      type: 'planShown';
      id: number;
      action: string;
      target: string;
      danger: Danger | null;
      lines: string[];
      blast: string[] | null;
    }
  | { type: 'blast'; id: number; lines: string[] }
  | { type: 'ask'; id: number; question: FlowQuestion }
  | { type: 'typed'; text: string }
  | { type: 'erased' }
  | { type: 'answerRefused'; reason: string }
  | { type: 'answered' }
  | { type: 'started'; id: number }
  | { type: 'progress'; id: number; detail: (d: FlowDetail) => FlowDetail }
  | { type: 'background'; id: number; background: Background }
  | { type: 'cancelRequested'; note: string }
  | { type: 'hidden' }
  | { type: 'shown' }
  | { type: 'noted'; note: string | null }
  | { type: 'scrolled'; delta: number; max: number }
  | { type: 'finished'; id: number; error?: string }
  | { type: 'closed' };

const MAX_TYPED = 200;

/** The flow after `a`; actions for another task than the open one change nothing. */
export function flowReducer(s: FlowState | null, a: FlowAction): FlowState | null {
  if (a.type === 'open') {
    return {
      id: a.id,
      title: a.title,
      phase: a.phase ?? 'preparing',
      detail: a.detail,
      question: null,
      typed: '',
      refusal: null,
      error: null,
      note: null,
      cancelling: false,
      hidden: false,
      background: a.background,
      scroll: 0,
    };
  }
  if (!s) return s;
  if ('id' in a && a.id !== s.id) return s;
  switch (a.type) {
    case 'planShown':
      if (s.detail.kind !== 'plan') return s;
      return {
        ...s,
        phase: 'shown',
        detail: { ...s.detail, action: a.action, target: a.target, danger: a.danger, lines: a.lines, blast: a.blast },
      };
    case 'blast':
      return s.detail.kind === 'plan' ? { ...s, detail: { ...s.detail, blast: a.lines } } : s;
    case 'ask':
      // A new question starts with an empty line; the same typed question keeps what was typed.
      return {
        ...s,
        question: a.question,
        hidden: false,
        refusal: null,
        typed:
          s.question?.kind === 'type' && a.question.kind === 'type' && s.question.stage === a.question.stage
            ? s.typed
            : '',
      };
    case 'typed':
      return s.question?.kind === 'type'
        ? { ...s, typed: (s.typed + a.text).slice(0, MAX_TYPED), refusal: null, note: null }
        : s;
    case 'erased':
      return s.question?.kind === 'type' ? { ...s, typed: s.typed.slice(0, -1), refusal: null } : s;
    case 'answerRefused':
      return { ...s, refusal: a.reason };
    case 'answered':
      return { ...s, question: null, typed: '', refusal: null };
    case 'started':
      return { ...s, phase: 'running', refusal: null };
    case 'progress':
      return { ...s, detail: a.detail(s.detail) };
    case 'background':
      return { ...s, background: a.background };
    case 'cancelRequested':
      return s.phase === 'running' || s.phase === 'preparing' ? { ...s, cancelling: true, note: a.note } : s;
    case 'hidden':
      return { ...s, hidden: true };
    case 'shown':
      return { ...s, hidden: false };
    case 'noted':
      return { ...s, note: a.note };
    case 'scrolled':
      return { ...s, scroll: Math.max(0, Math.min(a.max, s.scroll + a.delta)) };
    case 'finished':
      return {
        ...s,
        phase: 'summary',
        question: null,
        cancelling: false,
        error: a.error ?? s.error,
        note: a.error ? null : s.note,
      };
    case 'closed':
      return null;
  }
}

/** Whether the task is still doing something (not waiting only to be closed). */
export function flowRunning(s: FlowState | null): boolean {
  return s !== null && s.phase !== 'summary';
}

/** The keyboard mode the open panel needs; null when there is none or it is put away. */
export function flowMode(s: FlowState | null): FlowMode | null {
  if (!s || s.hidden) return null;
  if (s.question) return s.question.kind === 'type' ? 'typing' : 'question';
  // While the plan is being built, n/Esc close the panel and nothing else does anything.
  if (s.phase === 'preparing' && s.detail.kind === 'plan') return 'question';
  return 'task';
}
