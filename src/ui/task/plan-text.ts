// Pure display strings for plans and runs: a symbol and a word per step state (readable without
// colour), the lines of a step with its exact command and output tail, and a recovery hint per
// typed error. Shared by every plan in the task panel (containers, services, backup, prune).
import type { PlanResult, PlanRun, StepProgress, StepState, StepStatus } from '../../plan/plan.js';
import { seconds, supportsUnicode } from '../../present/format.js';

const ascii = !supportsUnicode(process.env);

const STATUS: Record<StepStatus, { symbol: string; ascii: string; word: string }> = {
  pending: { symbol: '·', ascii: '.', word: 'pending' },
  running: { symbol: '▶', ascii: '>', word: 'running' },
  done: { symbol: '✓', ascii: '+', word: 'done' },
  failed: { symbol: '✗', ascii: 'x', word: 'FAILED' },
  cancelled: { symbol: '⊘', ascii: '/', word: 'cancelled' },
  skipped: { symbol: '–', ascii: '-', word: 'skipped' },
};

/** "✓ done", "✗ FAILED": a step state as symbol and word. */
export function statusLabel(status: StepStatus): string {
  const s = STATUS[status];
  return `${ascii ? s.ascii : s.symbol} ${s.word}`;
}

const RESULT_WORDS: Record<PlanResult, string> = {
  succeeded: '✓ SUCCEEDED',
  failed: '✗ FAILED',
  cancelled: '⊘ CANCELLED',
  refused: '✗ REFUSED',
};

/** The outcome of a run in one word with its symbol; "running" while it is not over. */
export function resultLabel(run: Pick<PlanRun, 'result'> | null): string {
  if (!run?.result) return '▶ RUNNING';
  return RESULT_WORDS[run.result];
}

export interface RunLine {
  text: string;
  kind: 'step' | 'command' | 'output' | 'error' | 'summary' | 'title';
  status?: StepStatus;
}

/** Every line of a run's panel: each step with its state and exact command, its output tail, then the summary. */
export function runLines(run: PlanRun, outputLines = 6): RunLine[] {
  const lines: RunLine[] = [];
  run.steps.forEach((s, i) => {
    lines.push({ kind: 'step', status: s.status, text: `${i + 1}. ${stepTitle(s)}` });
    lines.push({ kind: 'command', text: `   ${s.description.kind}: ${s.description.text}` });
    if (s.error) lines.push({ kind: 'error', text: `   ${s.error}` });
    const tail =
      s.status === 'running' || s.status === 'failed'
        ? s.output.slice(-outputLines)
        : s.output.slice(-Math.min(2, outputLines));
    for (const o of tail) lines.push({ kind: 'output', text: `   │ ${o}` });
  });
  if (run.summary) {
    lines.push({ kind: 'title', text: '' });
    for (const l of run.summary) lines.push({ kind: 'summary', text: l });
    if (run.errorKind && run.result === 'failed') {
      const hint = recoveryHint(run.errorKind);
      if (hint) lines.push({ kind: 'summary', text: hint });
    }
  }
  return lines;
}

function stepTitle(s: StepState): string {
  const secs = s.startedAt !== undefined && s.endedAt !== undefined ? ` (${seconds(s.endedAt - s.startedAt)})` : '';
  const progress = s.progress && s.status === 'running' ? progressText(s.progress) : '';
  return `${s.title}${s.note ? ` — ${s.note}` : ''}${secs}${progress}`;
}

function progressText(p: StepProgress): string {
  return ` — ${p.label ?? ''} ${p.done}${p.total ? `/${p.total}` : ''} ${p.unit}`;
}

const HINTS: Record<string, string> = {
  already_stopped: 'Nothing to do: it was already stopped.',
  already_running: 'Nothing to do: it was already running.',
  not_found: 'Not found: it may have been removed or renamed; the list refreshes on the next poll.',
  unreachable: 'The engine or service did not answer: check that it is up and reachable from this host.',
  timeout: 'It did not answer in time: its state is uncertain; check the status before trying again.',
  refused: 'Refused by the console: nothing was done.',
  command_failed: 'The command failed: its output is above.',
};

/** What an operator can do about a typed error, in one line (or '' when there is nothing to add). */
export function recoveryHint(kind: string): string {
  return HINTS[kind] ?? '';
}
