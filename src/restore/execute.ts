// Running a restore: the guard once, a question before anything changes, the steps before the
// drop, the typed database name right before the drop (or at the start, for the CLI), the rest;
// on a failure before the drop the undo (database opened again, services started), after it the
// offer to put the safety dump back. Every exit ends with one plain sentence about the database.
import type { AuditInput, AuditSink } from '../plan/audit.js';
import { confirmationFor } from '../plan/confirm.js';
import { errorText } from '../plan/errors.js';
import { executePlan, summarize } from '../plan/execute.js';
import type { Verdict } from '../plan/guard.js';
import { pendingSteps, stepTexts, type Plan, type PlanOutcome, type PlanRun, type StepState } from '../plan/plan.js';
import { nowLine } from '../actions/services.js';
import { rollbackPlan, undoPlan, type RestorePlan } from './plan.js';
import { quoteIdent } from './sql.js';
import { dbStateOf } from './state.js';
import type { ConfirmRequest, RestoreResult, RestoreSnapshot } from './types.js';

export interface ExecuteRestoreOptions {
  guard: { check(plan: Plan): Verdict };
  audit: AuditSink;
  /** Asks the operator; resolves to the answer typed (y/yes, or the database name), or null for Esc / no. */
  confirm(req: ConfirmRequest): Promise<string | null>;
  /**
   * When the database name must be typed: 'drop' (default, the walkthrough) asks a yes before
   * anything changes and the name right before the drop; 'start' (the CLI) asks the name once,
   * before anything changes, and nothing more until a rollback question.
   */
  confirmAt?: 'start' | 'drop';
  /** A fresh plain-data snapshot after every change. */
  onUpdate?: (s: RestoreSnapshot) => void;
  /** Cancels the running step (when cancellable) and ends the restore at the next safe point. */
  signal?: AbortSignal;
  now?: () => number;
}

/** True when `answer` accepts `req`: y/yes for a question, the exact name for a typed confirmation. */
export function accepts(req: ConfirmRequest, answer: string | null): boolean {
  if (answer === null) return false;
  if (req.kind === 'yes') return /^(y|yes)$/i.test(answer.trim());
  // Exact and case-sensitive: typing the name proves the operator read which database this is.
  return answer.trim() === req.expect;
}

const approved = { check: (): Verdict => ({ ok: true }) };
// A prepared restore carries what its steps changed: running it twice would act on stale facts.
const executed = new WeakSet<RestorePlan>();

/** Runs a prepared restore to the end and resolves to its final snapshot; never rejects. */
export async function executeRestore(r: RestorePlan, opts: ExecuteRestoreOptions): Promise<RestoreSnapshot> {
  const now = opts.now ?? Date.now;
  const signal = opts.signal ?? new AbortController().signal;
  const { plan, env } = r;
  const db = env.database;
  const snap: RestoreSnapshot = {
    backup: r.backup,
    database: db,
    phase: 'confirming',
    checks: r.report.checks,
    steps: pendingSteps(plan),
    db: dbStateOf(env.tracker, db, r.backup),
    summary: [],
    startedAt: now(),
  };
  const emit = (): void => opts.onUpdate?.(structuredClone(snap));
  const audit = async (entry: Omit<AuditInput, 'action' | 'target'> & { action?: string }): Promise<void> => {
    await opts.audit.record({ action: plan.action, target: db, ...entry }).catch(() => undefined);
  };
  const merge = (run: PlanRun): void => {
    for (const st of run.steps) {
      const i = snap.steps.findIndex((s) => s.id === st.id);
      if (i >= 0) snap.steps[i] = st;
    }
    emit();
  };
  // A cancel answers "no" to the questions before the drop; the rollback question is asked even after a cancel.
  const ask = async (req: ConfirmRequest): Promise<boolean> => {
    const cancels = req.stage !== 'rollback';
    if (cancels && signal.aborted) return false;
    snap.phase = 'confirming';
    snap.pending = req;
    emit();
    const aborted = cancels
      ? [new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }))]
      : [];
    const answer = await Promise.race([opts.confirm(req).catch(() => null), ...aborted]);
    delete snap.pending;
    snap.phase = 'running';
    emit();
    return accepts(req, answer);
  };
  const segment = (ids: (id: string) => boolean): Promise<PlanOutcome> => {
    snap.phase = 'running';
    return executePlan(
      { ...plan, steps: plan.steps.filter((s) => ids(s.id)) },
      { guard: approved, audit: opts.audit, onUpdate: merge, signal },
    );
  };
  const recover = async (p: Plan | undefined): Promise<void> => {
    if (!p) return;
    snap.phase = p.action === 'restore.undo' ? 'undoing' : 'rolling-back';
    snap.recovery = { action: p.action as 'restore.undo' | 'restore.rollback', steps: [] };
    // Recovery is not the operator's to cancel, nor the guard's to refuse: it puts back what we changed.
    const out = await executePlan(p, {
      guard: approved,
      audit: opts.audit,
      onUpdate: (run) => ((snap.recovery!.steps = run.steps), emit()),
    });
    snap.recovery.steps = out.steps;
    snap.recovery.result = out.result;
    if (p.action === 'restore.rollback' && env.tracker.comparison) snap.recovery.comparison = env.tracker.comparison;
  };
  const finish = async (result: RestoreResult, headline: string): Promise<RestoreSnapshot> => {
    for (const s of snap.steps) if (s.status === 'pending') s.status = 'skipped';
    snap.db = dbStateOf(env.tracker, db, r.backup);
    if (env.tracker.safetyDump) snap.safetyDump = env.tracker.safetyDump;
    snap.summary = [headline, snap.db.text, ...(await aftermath(r, snap.steps, result))];
    snap.result = result;
    snap.phase = 'done';
    snap.durationMs = now() - snap.startedAt;
    const event =
      result === 'succeeded'
        ? 'succeeded'
        : result === 'failed'
          ? 'failed'
          : result === 'refused'
            ? 'refused'
            : 'cancelled';
    await audit({
      event,
      result,
      durationMs: snap.durationMs,
      reason: snap.db.text,
      steps: stepTexts(plan),
      ...(result === 'succeeded' ? {} : { error: headline }),
    });
    emit();
    return structuredClone(snap);
  };

  if (executed.has(r))
    return finish('refused', 'Refused: this prepared restore has already run; prepare it again (a fresh preflight).');
  executed.add(r);
  const verdict = opts.guard.check(plan);
  if (!verdict.ok) {
    return finish('refused', `Refused: ${verdict.reason}`);
  }
  const typed = confirmationFor(plan);
  const question = typed.kind === 'type' ? typed.question : `Type "${db}" to drop it:`;
  const startReq: ConfirmRequest =
    opts.confirmAt === 'start'
      ? { stage: 'start', kind: 'type', question, expect: db }
      : {
          stage: 'start',
          kind: 'yes',
          question:
            `Stop the application services, disconnect every client of ${db} and take a safety dump? ` +
            `${db} is dropped only after you type its name. [y/N]`,
        };
  if (!(await ask(startReq))) return finish('declined', 'Declined: nothing was done.');

  const a = await segment((id) => r.beforeDrop.includes(id));
  if (a.result !== 'succeeded') {
    await recover(undoPlan(r));
    return finish(a.result === 'cancelled' ? 'cancelled' : 'failed', headlineOf(a, 'before the drop'));
  }
  if (opts.confirmAt !== 'start' && !(await ask({ stage: 'drop', kind: 'type', question, expect: db }))) {
    await recover(undoPlan(r));
    return finish('declined', `Declined at the drop: ${db} was not dropped.`);
  }
  const b = await segment((id) => !r.beforeDrop.includes(id));
  if (b.result === 'succeeded') {
    if (env.tracker.comparison) snap.comparison = env.tracker.comparison;
    return finish('succeeded', `Restore of ${db} from ${r.backup} succeeded.`);
  }
  if (env.tracker.comparison) snap.comparison = env.tracker.comparison;
  if (!env.tracker.dropped) {
    await recover(undoPlan(r));
    return finish(b.result === 'cancelled' ? 'cancelled' : 'failed', headlineOf(b, 'at the drop'));
  }
  const rb = rollbackPlan(r);
  const failed = b.steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
  if (rb && env.tracker.safetyDump) {
    const state = dbStateOf(env.tracker, db, r.backup);
    const outcome = failed?.status === 'cancelled' ? 'was cancelled' : `failed: ${failed?.error ?? b.error ?? ''}`;
    const putBack = `Put the safety dump ${env.tracker.safetyDump} back? [y/N]`;
    const yes = await ask({
      stage: 'rollback',
      kind: 'yes',
      question: `"${failed?.title ?? 'a step'}" ${outcome}. ${state.text} ${putBack}`,
      failedStep: failed?.id ?? '',
      dbState: state,
      safetyDump: env.tracker.safetyDump,
    });
    if (yes) await recover(rb);
  }
  return finish(b.result === 'cancelled' ? 'cancelled' : 'failed', headlineOf(b, 'after the drop'));
}

function headlineOf(o: PlanOutcome, when: string): string {
  const failed = o.steps.find((s) => s.status === 'failed');
  if (o.result === 'cancelled') return `Restore cancelled by the operator ${when}.`;
  return `Restore FAILED at "${failed?.title ?? '?'}" (${when}): ${o.error ?? failed?.error ?? 'unknown error'}`;
}

/** The lines after the headline and the database's state: recovery, done / not done, services, connections. */
async function aftermath(r: RestorePlan, steps: StepState[], result: RestoreResult): Promise<string[]> {
  const env = r.env;
  const t = env.tracker;
  const lines: string[] = [];
  if (result !== 'succeeded' && result !== 'refused')
    lines.push(...summarize({ steps }, result === 'declined' ? 'cancelled' : result).slice(1));
  if (env.services && env.services.services.length > 0 && (t.servicesStopped || t.servicesStarted)) {
    try {
      lines.push(`Services: ${nowLine(await env.services.status(AbortSignal.timeout(15_000)))}`);
    } catch (err) {
      lines.push(`Services: state unknown (${errorText(err)})`);
    }
  }
  if (t.blocked && !t.reopened && (t.created || !t.dropped)) {
    const limit = env.facts?.exists ? env.facts.connLimit : -1;
    const reopen = `ALTER DATABASE ${quoteIdent(env.database)} CONNECTION LIMIT ${limit}`;
    lines.push(
      `${env.database} is still closed to clients (CONNECTION LIMIT 0). Once it is right, open it with: ${reopen}`,
    );
  }
  return lines;
}
