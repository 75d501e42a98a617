// The controller of the one task flow: it opens a task, hands the task a host (the one guard and
// audit trail, its cancel signal, a way to update its own detail and to ask the operator), and
// turns the operator's answers into reducer actions. One task at a time; the store holds plain
// snapshots only, the abort controller and the resolver of the question on screen stay here.
// No React here: the console's key handlers call these methods.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AuditSink } from '../../plan/audit.js';
import { errorText } from '../../plan/errors.js';
import type { PlanGuard } from '../../plan/guard.js';
import type { Plan } from '../../plan/plan.js';
import {
  flowMode,
  flowReducer,
  flowRunning,
  type FlowAction,
  type FlowKind,
  type FlowMode,
  type FlowState,
} from './flow-state.js';
import type { DetailOf, FlowHost, FlowTask } from './flow-task.js';
import { planTask } from './plan-task.js';

export interface FlowStoreState {
  flow: FlowState | null;
}
export type FlowStore = StoreApi<FlowStoreState>;

export interface TaskFlowDeps {
  guard: PlanGuard;
  audit: AuditSink;
  now?: () => number;
  /** Shows a one-line message in place of the footer. */
  flash?: (text: string, error: boolean) => void;
  /** After every task that ran (services re-read their status, the audit view re-reads). */
  onFinished?: (task: FlowState) => void;
  /** After a line was written to the audit trail outside a run (a declined plan). */
  onAudit?: () => void;
  /** How long the blast radius may take before it is given up (default 10 s). */
  blastTimeoutMs?: number;
}

interface Handle {
  id: number;
  task: FlowTask<FlowKind>;
  abort: AbortController;
  answer: ((text: string | null) => void) | null;
}

/** Drives the one task panel of a console. */
export class TaskFlow {
  readonly store: FlowStore = createStore<FlowStoreState>(() => ({ flow: null }));
  private seq = 0;
  private handle: Handle | null = null;
  private isDisposed = false;
  readonly now: () => number;

  constructor(readonly deps: TaskFlowDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The open task, if any. */
  get state(): FlowState | null {
    return this.store.getState().flow;
  }

  private dispatch(a: FlowAction): void {
    const next = flowReducer(this.state, a);
    if (next !== this.state) this.store.setState({ flow: next });
  }

  /** The keyboard mode of the open panel; null when none is showing. */
  mode(): FlowMode | null {
    return flowMode(this.state);
  }

  /** Opens the flow for the plan `build` makes (container, service, backup, prune actions). */
  propose(title: string, build: () => Promise<Plan>, hooks: { onFinished?: () => void } = {}): void {
    this.start(planTask(title, build, { blastTimeoutMs: this.deps.blastTimeoutMs ?? 10_000, ...hooks }));
  }

  /** Starts `task`; while another runs, or one of its kind finished while put away, that one is shown instead. */
  start<K extends FlowKind>(task: FlowTask<K>): void {
    const cur = this.state;
    // One task at a time: the key of a task that is running (or waits, finished, to be looked at) shows it.
    if (cur && (flowRunning(cur) || (cur.hidden && cur.detail.kind === task.detail.kind))) {
      this.dispatch({ type: 'shown' });
      return;
    }
    if (cur) this.closeNow();
    const id = ++this.seq;
    const handle: Handle = {
      id,
      task: task as unknown as FlowTask<FlowKind>,
      abort: new AbortController(),
      answer: null,
    };
    this.handle = handle;
    this.dispatch({
      type: 'open',
      id,
      title: task.title,
      detail: task.detail,
      background: task.background,
      ...(task.phase ? { phase: task.phase } : {}),
    });
    this.deps.flash?.('', false);
    const host: FlowHost<K> = {
      guard: this.deps.guard,
      audit: this.deps.audit,
      signal: handle.abort.signal,
      now: this.now,
      update: (fn) =>
        this.dispatch({
          type: 'progress',
          id,
          detail: (d) => (d.kind === task.detail.kind ? fn(d as DetailOf<K>) : d),
        }),
      dispatch: (a) => this.dispatch({ ...a, id } as FlowAction),
      ask: (q) =>
        new Promise((resolve) => {
          if (this.isDisposed || this.handle !== handle || this.state?.id !== id) return resolve(null);
          handle.answer = (text) => {
            handle.answer = null;
            this.dispatch({ type: 'answered' });
            resolve(text);
          };
          this.dispatch({ type: 'ask', id, question: q });
        }),
      close: () => {
        if (this.state?.id === id) this.closeNow();
      },
      open: () => this.state?.id === id,
      disposed: () => this.isDisposed,
      audited: () => this.deps.onAudit?.(),
      flash: (text, error) => this.deps.flash?.(text, error),
    };
    task.run(host).then(
      (error) => this.finished(handle, error ?? undefined),
      // Tasks report failures as data; this is for a bug past them (or a module that failed to load).
      (err: unknown) => this.finished(handle, `stopped unexpectedly: ${errorText(err)}`),
    );
  }

  private finished(handle: Handle, error: string | undefined): void {
    if (this.handle === handle) this.handle = null;
    const s = this.state;
    if (s?.id !== handle.id) return;
    this.dispatch({ type: 'finished', id: handle.id, ...(error ? { error } : {}) });
    handle.task.onFinished?.();
    this.deps.onFinished?.(this.state ?? s);
    if (s.hidden && s.background === 'flash') {
      this.closeNow();
      const line = handle.task.outcome?.();
      if (line) this.deps.flash?.(line, !/: succeeded/.test(line));
    }
  }

  /** y: answers yes to the question on screen. */
  yes(): void {
    if (this.state?.question?.kind === 'yes') this.handle?.answer?.('yes');
  }

  /** n, Esc: answers no; closes a plan that is still being prepared. */
  no(): void {
    const s = this.state;
    if (!s) return;
    if (s.question) this.handle?.answer?.(null);
    else if (s.phase === 'preparing' && s.detail.kind === 'plan') this.closeNow();
  }

  /** Typed text for a typed question. */
  type(text: string): void {
    this.dispatch({ type: 'typed', text });
  }

  /** Deletes the last typed character. */
  erase(): void {
    this.dispatch({ type: 'erased' });
  }

  /** Enter: submits the typed name; a name that does not match stays on screen to be corrected. */
  submit(): void {
    const s = this.state;
    const q = s?.question;
    if (!s || q?.kind !== 'type') return;
    if (s.typed.trim() === q.expect) this.handle?.answer?.(s.typed);
    else this.dispatch({ type: 'answerRefused', reason: `"${s.typed}" is not the name: type "${q.expect}" exactly` });
  }

  /** x, Ctrl-C: cancels the running task at its next safe point; closes a finished one. */
  cancel(): void {
    const s = this.state;
    if (!s) return;
    if (!flowRunning(s) || s.phase !== 'running') return this.close();
    this.handle?.abort.abort(new Error('cancelled by the operator'));
    this.dispatch({ type: 'cancelRequested', note: 'Cancelling at the next safe point…' });
  }

  /** Esc: closes a finished panel; a running task is put away, cancelled or stays, as its kind says. */
  close(): void {
    const s = this.state;
    if (!s) return;
    if (s.question) return this.no();
    if (s.phase !== 'running') return this.closeNow();
    switch (s.background) {
      case 'flash': {
        this.dispatch({ type: 'hidden' });
        const what = s.detail.kind === 'plan' ? `${s.detail.action} ${s.detail.target}` : s.title;
        this.deps.flash?.(`${what} goes on in the background; its result will show here`, false);
        return;
      }
      case 'keep':
        return this.dispatch({ type: 'hidden' });
      case 'cancel':
        return this.cancel();
      case 'stay':
        return this.dispatch({
          type: 'noted',
          note:
            'The restore is running and stays on screen until it ends (the database state is said then);' +
            ' cancelling stops it at its next safe point.',
        });
    }
  }

  /** Scrolls the panel by `delta` lines within 0…max. */
  scroll(delta: number, max: number): void {
    this.dispatch({ type: 'scrolled', delta, max });
  }

  private closeNow(): void {
    const h = this.handle;
    const s = this.state;
    this.dispatch({ type: 'closed' });
    if (h && s && h.id === s.id && !flowRunning(s)) this.handle = null;
    // An open question is answered no, so its task records the decline.
    h?.answer?.(null);
    h?.task.onClosed?.();
  }

  /** The console is closing: cancel whatever runs, answer any open question with no. */
  dispose(): void {
    this.isDisposed = true;
    this.handle?.abort.abort(new Error('the console is closing'));
    this.handle?.answer?.(null);
  }
}
