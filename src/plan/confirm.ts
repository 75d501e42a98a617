// What the operator must answer before a plan runs; shared by the CLI prompt and the console
// dialog so both ask the same question and accept the same answer.
import type { Plan } from './plan.js';

export type Confirmation =
  { kind: 'none' } | { kind: 'yes'; question: string } | { kind: 'type'; question: string; expect: string };

/** The question a plan's danger level calls for. */
export function confirmationFor(plan: Pick<Plan, 'danger' | 'action' | 'target'>): Confirmation {
  if (plan.danger === 'safe') return { kind: 'none' };
  if (plan.danger === 'confirm') return { kind: 'yes', question: `Run ${plan.action} on ${plan.target}? [y/N]` };
  return {
    kind: 'type',
    question: `This cannot be undone. Type the name "${plan.target}" to run ${plan.action}:`,
    expect: plan.target,
  };
}

/** True when `answer` confirms: y/yes for a yes, the exact target name for a destructive plan. */
export function isConfirmed(c: Confirmation, answer: string): boolean {
  if (c.kind === 'none') return true;
  if (c.kind === 'yes') return /^(y|yes)$/i.test(answer.trim());
  // Exact, case-sensitive: a typed name is the proof the operator read which database this is.
  return answer.trim() === c.expect;
}
