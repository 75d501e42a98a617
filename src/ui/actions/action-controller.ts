// The console's one entry point for actions: the plan dialog, text prompts, arming and the
// Logs pane, over one action store. The App asks it which keymap mode is active and hands it the
// commands and text of that mode; views call it to propose plans. No React here.
import type { PlanRun } from '../../plan/plan.js';
import { actionsEnabled, createActionStore, type ActionStore } from '../../state/action-state.js';
import type { CommandId, Mode } from '../keymap.js';
import { LogPane } from '../logs/log-pane.js';
import { Arming } from './arming.js';
import type { ConsoleActions } from '../../app/console-actions.js';
import { PlanFlow } from './plan-flow.js';
import { PromptFlow } from './prompt-flow.js';

export interface ControllerOptions {
  /** How often an armed guard is asked whether it lapsed (default 1 s). */
  guardPollMs?: number;
  now?: () => number;
}

/** Actions, prompts, arming and the log pane of one console. */
export class ActionController {
  readonly store: ActionStore;
  readonly plans: PlanFlow;
  readonly prompts: PromptFlow;
  readonly arming: Arming;
  readonly logs: LogPane;

  constructor(
    readonly actions: ConsoleActions,
    opts: ControllerOptions = {},
  ) {
    const readOnly = actions.guard.state().mode !== 'read-write';
    this.store = createActionStore({ readOnly, logSource: actions.logSources[0] ?? null });
    this.plans = new PlanFlow({
      store: this.store,
      guard: actions.guard,
      audit: actions.audit,
      ...(opts.now ? { now: opts.now } : {}),
      onFinished: (run: PlanRun) => {
        // The panel shows the new state on the next poll: ask for that poll now.
        if (run.result !== 'refused') actions.refreshNow();
      },
    });
    this.prompts = new PromptFlow(this.store);
    this.arming = new Arming(actions.guard, this.store, this.prompts, { ...(opts.guardPollMs ? { pollMs: opts.guardPollMs } : {}), ...(opts.now ? { now: opts.now } : {}) });
    this.logs = new LogPane((source, onFrame) => actions.openLogTail(source, onFrame));
  }

  /** The keymap mode that has the keyboard: a prompt, then the plan dialog; null when neither is open. */
  mode(): Mode | null {
    return this.prompts.mode() ?? this.plans.mode();
  }

  /** Whether dangerous commands are bound now (not read-only, or armed). */
  enabled(): boolean {
    return actionsEnabled(this.store.getState().guard);
  }

  /** Runs a command of the open prompt or dialog, or a global action command; false when it is none of these. */
  command(id: CommandId): boolean {
    if (this.prompts.mode()) return this.prompts.command(id);
    if (this.plans.mode()) return this.plans.command(id);
    if (id === 'arm') {
      this.arming.toggle();
      return true;
    }
    return false;
  }

  /** Typed text for the open prompt or the typed confirmation. */
  text(text: string): void {
    if (this.prompts.mode()) this.prompts.text(text);
    else this.plans.text(text);
  }

  /** Clears the one-line message. */
  clearFlash(): void {
    if (this.store.getState().flash) this.store.getState().set({ flash: null });
  }

  /** The console is closing: cancel a running plan, stop the log stream, stop following the guard. */
  async dispose(): Promise<void> {
    this.plans.dispose();
    this.arming.dispose();
    await this.logs.stop();
    this.actions.dispose();
  }
}
