// Running a plan: guard check, audit, one step at a time with per-step state, stop at the first
// failure, and a summary that says exactly what was and was not done.
import type { AuditInput, AuditSink } from './audit.js';
import { errorKind, errorText } from './errors.js';
import type { PlanGuard } from './guard.js';
import {
  pendingSteps,
  stepTexts,
  type Plan,
  type PlanOutcome,
  type PlanResult,
  type PlanRun,
  type StepState,
} from './plan.js';

/** Output lines kept per step: enough to see why it failed, not enough to grow without bound. */
export const OUTPUT_TAIL = 40;
const MAX_LINE = 500;

export interface ExecuteOptions {
  guard: PlanGuard;
  audit: AuditSink;
  /** Called with a fresh plain-data snapshot after every change. */
  onUpdate?: (run: PlanRun) => void;
  /** Aborting cancels the running step if it is cancellable, and skips the rest either way. */
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs `plan` (already confirmed by the operator) and resolves to its outcome; never rejects. */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<PlanOutcome> {
  const now = opts.now ?? Date.now;
  const signal = opts.signal ?? new AbortController().signal;
  const run: PlanRun = {
    action: plan.action,
    target: plan.target,
    startedAt: now(),
    warnings: [],
    steps: pendingSteps(plan),
  };
  // Output and progress can arrive thousands of times a second; state changes are sent at once,
  // chatter at most every 50 ms, so a verbose step cannot flood the UI with snapshots.
  let pending: NodeJS.Timeout | null = null;
  const emit = (): void => {
    if (pending) clearTimeout(pending);
    pending = null;
    opts.onUpdate?.(snapshot(run));
  };
  const emitSoon = (): void => {
    if (!pending && opts.onUpdate) pending = setTimeout(emit, 50);
  };
  const audit = async (entry: AuditInput): Promise<void> => {
    try {
      // A hung filesystem (NFS, a full disk on some drivers) must not hang the action with it.
      await Promise.race([
        opts.audit.record(entry),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 5 s')), 5000).unref()),
      ]);
    } catch (err) {
      // An unwritable trail must not block stopping a runaway service mid-incident; say so loudly instead.
      run.warnings.push(`the audit trail could not be written: ${errorText(err)}`);
    }
  };
  const base = { action: plan.action, target: plan.target, steps: stepTexts(plan) };

  const verdict = opts.guard.check(plan);
  if (!verdict.ok) {
    for (const s of run.steps) s.status = 'skipped';
    await audit({ ...base, event: 'refused', result: 'refused', error: verdict.reason });
    return finish(
      run,
      'refused',
      verdict.reason,
      'refused',
      [`Refused: ${verdict.reason}`, 'Nothing was done.'],
      now,
      emit,
    );
  }
  await audit({ ...base, event: 'confirmed' });
  emit();

  let failure: { message: string; kind: string } | null = null;
  let cancelled = false;
  const never = new AbortController().signal;
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i]!;
    const state = run.steps[i]!;
    if (signal.aborted) {
      cancelled = true;
      break;
    }
    state.status = 'running';
    state.startedAt = now();
    emit();
    try {
      const note = await step.run({
        // Non-cancellable steps never see the abort: they finish, and the rest is skipped.
        signal: step.cancellable ? signal : never,
        output: (line) => {
          pushTail(state.output, line);
          emitSoon();
        },
        progress: (p) => {
          state.progress = p;
          emitSoon();
        },
      });
      if (typeof note === 'string' && note !== '') state.note = note;
      state.status = 'done';
    } catch (err) {
      if (signal.aborted && step.cancellable) {
        state.status = 'cancelled';
        state.error = 'cancelled by the operator';
        cancelled = true;
      } else {
        state.status = 'failed';
        state.error = errorText(err);
        state.errorKind = errorKind(err);
        failure = { message: state.error, kind: state.errorKind };
      }
    }
    state.endedAt = now();
    emit();
    if (failure || cancelled) break;
  }
  if (!failure && !cancelled && signal.aborted && run.steps.some((s) => s.status === 'pending')) cancelled = true;
  for (const s of run.steps) if (s.status === 'pending') s.status = 'skipped';

  const result: PlanResult = failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded';
  const summary = summarize(run, result);
  if (plan.epilogue) {
    const partial = { ...snapshot(run), result, summary, durationMs: now() - run.startedAt };
    try {
      summary.push(...(await plan.epilogue(partial, AbortSignal.timeout(15_000))));
    } catch (err) {
      summary.push(`(could not tell the state afterwards: ${errorText(err)})`);
    }
  }
  const durationMs = now() - run.startedAt;
  await audit({
    ...base,
    event: result === 'succeeded' ? 'succeeded' : result === 'cancelled' ? 'cancelled' : 'failed',
    result,
    durationMs,
    ...(failure ? { error: failure.message } : {}),
  });
  return finish(run, result, failure?.message, failure?.kind, summary, now, emit);
}

function finish(
  run: PlanRun,
  result: PlanResult,
  error: string | undefined,
  kind: string | undefined,
  summary: string[],
  now: () => number,
  emit: () => void,
): PlanOutcome {
  run.result = result;
  run.summary = summary;
  run.durationMs = now() - run.startedAt;
  if (error !== undefined) run.error = error;
  if (kind !== undefined) run.errorKind = kind;
  for (const w of run.warnings) summary.push(`Warning: ${w}`);
  emit();
  return snapshot(run) as PlanOutcome;
}

/** The plain-words summary: what was done, what failed, what was not done. */
export function summarize(run: Pick<PlanRun, 'steps'>, result: PlanResult): string[] {
  const by = (st: StepState['status']): StepState[] => run.steps.filter((s) => s.status === st);
  const names = (ss: StepState[]): string => ss.map((s) => (s.note ? `${s.title} (${s.note})` : s.title)).join('; ');
  const lines: string[] = [];
  const done = by('done');
  const failed = by('failed');
  const cancelled = by('cancelled');
  const skipped = by('skipped');
  if (result === 'succeeded') lines.push(`Succeeded: all ${done.length} step${done.length === 1 ? '' : 's'} done.`);
  else if (result === 'failed')
    lines.push(`Failed at "${failed[0]?.title ?? '?'}": ${failed[0]?.error ?? 'unknown error'}`);
  else lines.push('Cancelled by the operator.');
  if (result !== 'succeeded') {
    lines.push(done.length > 0 ? `Done: ${names(done)}.` : 'Done: nothing.');
    if (cancelled.length > 0) lines.push(`Cancelled part-way: ${names(cancelled)}.`);
    if (skipped.length > 0) lines.push(`Not done: ${names(skipped)}.`);
  }
  return lines;
}

function pushTail(tail: string[], line: string): void {
  tail.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
  if (tail.length > OUTPUT_TAIL) tail.splice(0, tail.length - OUTPUT_TAIL);
}

function snapshot(run: PlanRun): PlanRun {
  return {
    ...run,
    warnings: [...run.warnings],
    ...(run.summary ? { summary: [...run.summary] } : {}),
    steps: run.steps.map((s) => ({
      ...s,
      output: [...s.output],
      ...(s.progress ? { progress: { ...s.progress } } : {}),
    })),
  };
}
