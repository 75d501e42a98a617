// Generic: the life of one action in the console, for ANY Plan — container and service actions
// today, and the Backups view's "take a backup" and "prune" (or anything else built as a Plan).
// Build the plan, show it (each step's exact command) with its blast radius, ask as its danger
// requires (a yes, or the target's name typed), run it with per-step state, cancel it where
// safe, and show the summary. The Plan and its AbortController stay in this object; the store
// gets plain snapshots only. A decline is audited as `refused`, like the CLI does.
import type { AuditSink } from '../../plan/audit.js';
import { confirmationFor, isConfirmed } from '../../plan/confirm.js';
import { errorText } from '../../plan/errors.js';
import { executePlan } from '../../plan/execute.js';
import type { Verdict } from '../../plan/guard.js';
import { formatPlan, stepTexts, type Plan, type PlanRun } from '../../plan/plan.js';
import type { ActionStore, PlanDialog } from '../../state/action-state.js';
import type { CommandId, Mode } from '../keymap.js';
import { outcomeLine } from './plan-text.js';

/** What a plan flow runs plans with. */
export interface PlanFlowDeps {
  store: ActionStore;
  guard: { check(plan: Pick<Plan, 'changesState'>): Verdict };
  audit: AuditSink;
  /** After every run (refresh the probes, re-read statuses). */
  onFinished?: (run: PlanRun) => void;
  now?: () => number;
  /** How long the blast radius may take before it is given up (default 10 s). */
  blastTimeoutMs?: number;
}

/** Drives the plan dialog in the action store. */
export class PlanFlow {
  private plan: Plan | null = null;
  private abort: AbortController | null = null;
  private blastAbort: AbortController | null = null;
  private seq = 0;
  private readonly now: () => number;

  constructor(private readonly deps: PlanFlowDeps) {
    this.now = deps.now ?? Date.now;
  }

  private get dialog(): PlanDialog | null {
    return this.deps.store.getState().dialog;
  }

  /** Opens the dialog for the plan `build` makes; a running plan that was put away is shown again instead. */
  propose(title: string, build: () => Promise<Plan>): void {
    const open = this.dialog;
    if (open?.phase === 'running') {
      if (open.hidden) this.deps.store.getState().patchDialog(open.id, { hidden: false });
      return;
    }
    this.blastAbort?.abort();
    const id = ++this.seq;
    this.plan = null;
    this.deps.store.getState().set({
      dialog: { id, title, phase: 'preparing', action: '', target: '', danger: null, planLines: [], blast: null, confirmation: null, answer: '', error: null, run: null, cancelling: false, scroll: 0, hidden: false },
      flash: null,
    });
    build().then(
      (plan) => this.ready(id, plan),
      (err: unknown) => this.patch(id, { phase: 'done', error: `could not prepare the action: ${errorText(err)}` }),
    );
  }

  /** The keymap mode of the open dialog: a yes/no question, a typed name, or the progress panel. */
  mode(): Mode | null {
    const d = this.dialog;
    if (!d || d.hidden) return null;
    if (d.phase === 'preparing') return 'question';
    if (d.phase === 'confirm') return d.confirmation?.kind === 'type' ? 'typing' : 'question';
    return 'task';
  }

  /** Runs a modal command; false when it is not one of the dialog's. */
  command(id: CommandId): boolean {
    const d = this.dialog;
    if (!d) return false;
    switch (id) {
      case 'question.yes':
        if (d.phase === 'confirm' && d.confirmation?.kind === 'yes') this.start(d.id);
        return true;
      case 'typing.accept':
        if (d.phase !== 'confirm' || !d.confirmation) return true;
        if (isConfirmed(d.confirmation, d.answer)) this.start(d.id);
        else this.patch(d.id, { error: `"${d.answer}" is not the name: type ${d.confirmation.kind === 'type' ? `"${d.confirmation.expect}"` : 'it'} exactly, or Esc` });
        return true;
      case 'question.no':
      case 'typing.cancel':
        this.decline('declined by the operator');
        return true;
      case 'typing.erase':
        this.patch(d.id, { answer: d.answer.slice(0, -1), error: null });
        return true;
      case 'task.cancel':
        if (d.phase === 'running') this.cancel();
        else this.close();
        return true;
      case 'task.close':
        if (d.phase === 'running') {
          this.patch(d.id, { hidden: true });
          this.flash(`${d.action} ${d.target} goes on in the background; its result will show here`, false);
        } else this.close();
        return true;
      case 'task.up':
      case 'task.down':
        this.patch(d.id, { scroll: Math.max(0, d.scroll + (id === 'task.down' ? 1 : -1)) });
        return true;
      default:
        return false;
    }
  }

  /** Typed text: the target's name for a destructive plan. */
  text(text: string): void {
    const d = this.dialog;
    if (d?.phase === 'confirm' && d.confirmation?.kind === 'type') this.patch(d.id, { answer: (d.answer + text).slice(0, 200), error: null });
  }

  /** Asks the running plan to stop (a step that cannot be interrupted finishes first). */
  cancel(): void {
    const d = this.dialog;
    if (d?.phase !== 'running' || !this.abort) return;
    this.abort.abort();
    this.patch(d.id, { cancelling: true });
  }

  /** Closes a dialog that is not running. */
  close(): void {
    const d = this.dialog;
    if (!d || d.phase === 'running') return;
    if (d.phase === 'confirm') {
      this.decline('declined by the operator');
      return;
    }
    this.blastAbort?.abort();
    this.plan = null;
    this.deps.store.getState().set({ dialog: null });
  }

  /** The console is closing: cancel a run, record an unanswered question as refused. */
  dispose(): void {
    const d = this.dialog;
    if (d?.phase === 'confirm') this.decline('the console was closed before an answer');
    this.abort?.abort();
    this.blastAbort?.abort();
  }

  private ready(id: number, plan: Plan): void {
    if (this.dialog?.id !== id) return;
    this.plan = plan;
    const confirmation = confirmationFor(plan);
    this.patch(id, { action: plan.action, target: plan.target, danger: plan.danger, planLines: formatPlan(plan), confirmation });
    if (confirmation.kind === 'none') {
      this.start(id);
      return;
    }
    this.patch(id, { phase: 'confirm' });
    if (!plan.blastRadius) {
      this.patch(id, { blast: [] });
      return;
    }
    const ac = new AbortController();
    this.blastAbort = ac;
    const timer = setTimeout(() => ac.abort(), this.deps.blastTimeoutMs ?? 10_000);
    plan.blastRadius(ac.signal).then(
      (lines) => this.patch(id, { blast: lines }),
      (err: unknown) => this.patch(id, { blast: [`who is affected is unknown: ${errorText(err)}`] }),
    ).finally(() => clearTimeout(timer));
  }

  private start(id: number): void {
    const plan = this.plan;
    if (!plan || this.dialog?.id !== id) return;
    this.blastAbort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    this.patch(id, { phase: 'running', error: null });
    executePlan(plan, { guard: this.deps.guard, audit: this.deps.audit, signal: ac.signal, now: this.now, onUpdate: (run) => this.patch(id, { run }) })
      .then((outcome) => {
        this.abort = null;
        const hidden = this.dialog?.id === id && this.dialog.hidden;
        this.patch(id, { phase: 'done', run: outcome, cancelling: false });
        this.deps.store.getState().bumpFinished();
        if (hidden) {
          this.deps.store.getState().set({ dialog: null });
          this.flash(outcomeLine(outcome), outcome.result !== 'succeeded');
        }
        this.deps.onFinished?.(outcome);
      })
      .catch((err: unknown) => this.patch(id, { phase: 'done', error: `the action ended unexpectedly: ${errorText(err)}` }));
  }

  private decline(reason: string): void {
    const d = this.dialog;
    const plan = this.plan;
    this.blastAbort?.abort();
    this.plan = null;
    this.deps.store.getState().set({ dialog: null });
    if (!d || !plan || d.phase !== 'confirm') return;
    this.deps.audit
      .record({ event: 'refused', action: plan.action, target: plan.target, steps: stepTexts(plan), reason })
      .then(
        () => this.deps.store.getState().bumpAudit(),
        (err: unknown) => this.flash(`the audit trail could not be written: ${errorText(err)}`, true),
      );
    this.flash(`${plan.action} ${plan.target}: not run (${reason})`, false);
  }

  private patch(id: number, patch: Partial<PlanDialog>): void {
    this.deps.store.getState().patchDialog(id, patch);
  }

  private flash(text: string, error: boolean): void {
    this.deps.store.getState().set({ flash: { text, error, at: this.now() } });
  }
}
