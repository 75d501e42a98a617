// Start-up milestones for the benches and for anyone asking "why is it slow to start here?":
// with OPSDECK_TRACE=1 in the environment, the console prints, after it exits, the time since
// process start at which it reached each stage, and its frame counts. Without it, `mark` does
// nothing.
const marks: [string, number][] | undefined = process.env.OPSDECK_TRACE ? [] : undefined;

/** Records that start-up reached `stage` (only when tracing). */
export function mark(stage: string): void {
  marks?.push([stage, Math.round(performance.now())]);
}

/** Whether OPSDECK_TRACE is on. */
export const tracing = marks !== undefined;

/** The milestones as one line, e.g. "opsdeck: start main 112 config 129 … first-frame 283". */
export function traceLine(): string {
  return `opsdeck: start ${(marks ?? []).map(([k, v]) => `${k} ${v}`).join(' ')}`;
}
