// The shape of every action: a plan of steps that can each say exactly what they will do before
// they do it, so --dry-run, the confirmation screen and the audit trail all read the same text.
// Running a plan lives in execute.ts; this file is types and pure formatting only.

/** How much the operator must confirm: nothing, a yes, or the target's name typed. */
export type Danger = 'safe' | 'confirm' | 'destructive';

/** What a step touches: a child process, an engine API call, SQL, the filesystem, or a read-only check. */
export type StepKind = 'argv' | 'api' | 'sql' | 'fs' | 'check';

export interface StepDescription {
  kind: StepKind;
  /** One line, exactly what will run (e.g. `systemctl stop redis.service`, `POST /containers/web/stop?t=10`). */
  text: string;
  /** For kind 'argv': the argument vector, passed to the OS as is (never through a shell). */
  argv?: readonly string[];
}

/** Progress of a long step, e.g. bytes of a dump written so far. */
export interface StepProgress {
  done: number;
  total?: number;
  unit: 'bytes' | 'items' | 'seconds';
  label?: string;
}

export interface StepContext {
  /** Aborted when the operator cancels — only ever aborted for steps marked cancellable. */
  signal: AbortSignal;
  /** One line of the step's output (kept as a bounded tail). */
  output(line: string): void;
  progress(p: StepProgress): void;
}

export interface Step {
  id: string;
  title: string;
  describe(): StepDescription;
  /** Does the work; throws to fail. May resolve to a one-line note (e.g. "was already running"). */
  run(ctx: StepContext): Promise<string | void>;
  /** True when aborting this step half-way is safe; otherwise a cancel waits for it to finish. */
  cancellable?: boolean;
}

export interface Plan {
  /** Dotted action name for the audit trail, e.g. `container.stop`, `service.start-all`. */
  action: string;
  target: string;
  danger: Danger;
  /** False for plans that only read (the read-only guard lets them through). Default true. */
  changesState?: boolean;
  steps: Step[];
  /** Who or what is affected, one line each, shown before confirming. Never throws: failures become a line. */
  blastRadius?(signal: AbortSignal): Promise<string[]>;
  /** Extra summary lines once the run is over, e.g. what is running now after a failure. */
  epilogue?(outcome: PlanOutcome, signal: AbortSignal): Promise<string[]>;
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

/** Plain-data state of one step, safe to put in a store. */
export interface StepState {
  id: string;
  title: string;
  description: StepDescription;
  status: StepStatus;
  /** The last lines of output (bounded). */
  output: string[];
  progress?: StepProgress;
  note?: string;
  error?: string;
  /** Machine-readable error kind when the step threw an ActionError. */
  errorKind?: string;
  startedAt?: number;
  endedAt?: number;
}

export type PlanResult = 'succeeded' | 'failed' | 'cancelled' | 'refused';

/** Plain-data state of a whole run; `result` is set once the run is over. */
export interface PlanRun {
  action: string;
  target: string;
  steps: StepState[];
  startedAt: number;
  result?: PlanResult;
  summary?: string[];
  error?: string;
  errorKind?: string;
  durationMs?: number;
  /** Problems that did not stop the plan, e.g. the audit trail could not be written. */
  warnings: string[];
}

export type PlanOutcome = PlanRun & { result: PlanResult; summary: string[]; durationMs: number };

/** Whether the plan changes state (the default) or only reads. */
export function changesState(plan: Pick<Plan, 'changesState'>): boolean {
  return plan.changesState !== false;
}

/** The state of every step of `plan` before anything ran: pending, each with what it will run. */
export function pendingSteps(plan: Pick<Plan, 'steps'>): StepState[] {
  return plan.steps.map((s) => ({
    id: s.id,
    title: s.title,
    description: s.describe(),
    status: 'pending',
    output: [],
  }));
}

/** The one-line descriptions of every step, in order (for the audit trail). */
export function stepTexts(plan: Pick<Plan, 'steps'>): string[] {
  return plan.steps.map((s) => `${s.title}: ${s.describe().text}`);
}

const DANGER_WORDS: Record<Danger, string> = {
  safe: 'no confirmation needed',
  confirm: 'needs a yes',
  destructive: 'DESTRUCTIVE: needs the target name typed',
};

/** Renders the plan for --dry-run and the confirmation screen: one numbered line per step, then its exact command. */
export function formatPlan(plan: Plan, blastRadius: string[] = []): string[] {
  const stepCount = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`;
  const lines = [`${plan.action} ${plan.target} — ${stepCount}, ${DANGER_WORDS[plan.danger]}`];
  plan.steps.forEach((step, i) => {
    const d = step.describe();
    lines.push(`  ${i + 1}. ${step.title}${step.cancellable ? '' : ' (runs to the end once started)'}`);
    lines.push(`     ${d.kind}: ${d.text}`);
  });
  if (blastRadius.length > 0) {
    lines.push('Affected:');
    for (const l of blastRadius) lines.push(`  - ${l}`);
  }
  return lines;
}

/** Quotes an argv for display only (copy-pasteable into a POSIX shell); it is never executed this way. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
