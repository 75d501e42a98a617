// What a task of the one flow is, and what the flow hands it while it runs: the contract between
// the flow (task-flow.ts) and its kinds of task (plan-task.ts, backup-jobs.ts, restore-job.ts).
import type { AuditSink } from '../../plan/audit.js';
import type { PlanGuard } from '../../plan/guard.js';
import type { Background, FlowAction, FlowDetail, FlowKind, FlowPhase, FlowQuestion } from './flow-state.js';

type OmitId<T> = T extends unknown ? Omit<T, 'id'> : never;
/** The flow actions a task dispatches about itself (the flow adds the task's id). */
export type TaskAction = OmitId<Extract<FlowAction, { id: number }>>;

export type DetailOf<K extends FlowKind> = Extract<FlowDetail, { kind: K }>;

/** What a running task gets from the flow. */
export interface FlowHost<K extends FlowKind> {
  guard: PlanGuard;
  audit: AuditSink;
  /** Aborted when the operator cancels (x, Ctrl-C) or the console closes. */
  signal: AbortSignal;
  now: () => number;
  /** Applies `fn` to this task's detail, while it is still the open task. */
  update(fn: (d: DetailOf<K>) => DetailOf<K>): void;
  /** Dispatches a flow action for this task (planShown, blast, started, background). */
  dispatch(a: TaskAction): void;
  /** Asks the operator: resolves with "yes" or the typed text; null for no, Esc or a closed console. */
  ask(q: FlowQuestion): Promise<string | null>;
  /** Closes the panel (the operator said no before anything ran). */
  close(): void;
  /** Whether this task is still the one on screen (the operator may have closed it). */
  open(): boolean;
  /** The console is closing. */
  disposed(): boolean;
  /** The audit trail has a new line (the Audit view re-reads). */
  audited(): void;
  flash(text: string, error: boolean): void;
}

/** One kind of task in the flow. */
export interface FlowTask<K extends FlowKind> {
  title: string;
  detail: DetailOf<K>;
  background: Background;
  /** Jobs start running at once; a plan is prepared first. */
  phase?: FlowPhase;
  /** Runs the task to its end; resolves with why it stopped early, if it did. */
  run(host: FlowHost<K>): Promise<string | void>;
  /** The line flashed when the task ends while put away (background 'flash'). */
  outcome?(): string | null;
  /** After the task has ended (refresh statuses, the catalog). */
  onFinished?(): void;
  /** After the panel was closed. */
  onClosed?(): void;
}
