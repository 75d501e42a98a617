// A Plan as a task of the one flow — container and service actions, backup, prune, or anything
// else built as a Plan: build it, show it (each step's exact command) with its blast radius, ask
// as its danger requires (a yes, or the target's name typed), run it through the one guard and
// audit trail with per-step state, and leave the summary up. A decline is audited as `refused`,
// as the CLI does.
import { confirmationFor } from '../../plan/confirm.js';
import { errorText } from '../../plan/errors.js';
import { executePlan } from '../../plan/execute.js';
import { formatPlan, stepTexts, type Plan, type PlanRun } from '../../plan/plan.js';
import type { FlowHost, FlowTask } from './flow-task.js';
import { seconds } from '../../present/format.js';

/** A short line for the flash after a run: "container.stop web: succeeded in 2.1 s". */
export function outcomeLine(run: PlanRun): string {
  const secs = run.durationMs === undefined ? '' : ` in ${seconds(run.durationMs)}`;
  return `${run.action} ${run.target}: ${run.result ?? 'running'}${secs}${run.error ? ` — ${run.error}` : ''}`;
}

/** Looks up who is affected, giving up after `ms` or once `ac` is aborted (the plan runs); never rejects. */
async function blastOf(plan: Plan, host: FlowHost<'plan'>, ms: number, ac: AbortController): Promise<void> {
  if (!plan.blastRadius) return host.dispatch({ type: 'blast', lines: [] });
  const stop = () => ac.abort();
  host.signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, ms);
  try {
    host.dispatch({ type: 'blast', lines: await plan.blastRadius(ac.signal) });
  } catch (err) {
    host.dispatch({ type: 'blast', lines: [`who is affected is unknown: ${errorText(err)}`] });
  } finally {
    clearTimeout(timer);
    host.signal.removeEventListener('abort', stop);
  }
}

async function decline(plan: Plan, host: FlowHost<'plan'>, reason: string): Promise<void> {
  host.close();
  host.flash(`${plan.action} ${plan.target}: not run (${reason})`, false);
  try {
    await host.audit.record({
      event: 'refused',
      action: plan.action,
      target: plan.target,
      steps: stepTexts(plan),
      reason,
    });
    host.audited();
  } catch (err) {
    host.flash(`the audit trail could not be written: ${errorText(err)}`, true);
  }
}

/** The flow task of the plan `build` makes. */
export function planTask(
  title: string,
  build: () => Promise<Plan>,
  opts: { blastTimeoutMs: number; onFinished?: () => void },
): FlowTask<'plan'> {
  let last: PlanRun | null = null;
  return {
    title,
    detail: { kind: 'plan', action: '', target: '', danger: null, lines: [], blast: null, run: null },
    background: 'flash',
    outcome: () => (last ? outcomeLine(last) : null),
    ...(opts.onFinished ? { onFinished: opts.onFinished } : {}),
    async run(host) {
      let plan: Plan;
      try {
        plan = await build();
      } catch (err) {
        return `could not prepare the action: ${errorText(err)}`;
      }
      // Closed while it was being built: nothing was asked, nothing to record.
      if (!host.open()) return;
      const confirmation = confirmationFor(plan);
      host.dispatch({
        type: 'planShown',
        action: plan.action,
        target: plan.target,
        danger: plan.danger,
        lines: formatPlan(plan),
        blast: confirmation.kind === 'none' ? [] : null,
      });
      if (confirmation.kind !== 'none') {
        const looking = new AbortController();
        void blastOf(plan, host, opts.blastTimeoutMs, looking);
        const answer = await host.ask(confirmation);
        looking.abort();
        if (answer === null) {
          await decline(
            plan,
            host,
            host.disposed() ? 'the console was closed before an answer' : 'declined by the operator',
          );
          return;
        }
      }
      host.dispatch({ type: 'started' });
      const outcome = await executePlan(plan, {
        guard: host.guard,
        audit: host.audit,
        signal: host.signal,
        now: host.now,
        onUpdate: (run) => host.update((d) => ({ ...d, run })),
      });
      last = outcome;
      host.update((d) => ({ ...d, run: outcome }));
    },
  };
}
