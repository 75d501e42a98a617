// The console's one entry point for actions: the task flow (every plan and job), text prompts,
// arming and the Logs pane, over one action store. The console asks it which keyboard mode is
// active; its key handlers call the flow, the prompts and arming directly. No React here.
import { actionsEnabled, createActionStore, type ActionStore } from '../../state/action-state.js';
import type { ConsoleActions } from '../console-actions.js';
import { Arming } from './arming.js';
import type { FlowMode } from './flow-state.js';
import { LogPane } from './log-pane.js';
import { PromptFlow } from './prompt-flow.js';
import { TaskFlow } from './task-flow.js';

/** The keyboard modes the controller can own: a text prompt, or the task flow's. */
export type ConsoleMode = 'input' | FlowMode;

export interface ControllerOptions {
  /** How often an armed guard is asked whether it lapsed (default 1 s). */
  guardPollMs?: number;
  now?: () => number;
}

/** Actions, prompts, arming and the log pane of one console. */
export class ActionController {
  readonly store: ActionStore;
  readonly flow: TaskFlow;
  readonly prompts: PromptFlow;
  readonly arming: Arming;
  readonly logs: LogPane;
  private readonly now: () => number;

  constructor(
    readonly actions: ConsoleActions,
    opts: ControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const readOnly = actions.guard.state().mode !== 'read-write';
    this.store = createActionStore({ readOnly, logSource: actions.logSources[0] ?? null });
    this.flow = new TaskFlow({
      guard: actions.guard,
      audit: actions.audit,
      now: this.now,
      flash: (text, error) => this.flash(text, error),
      onAudit: () => this.store.getState().bumpAudit(),
      onFinished: (task) => {
        this.store.getState().bumpFinished();
        // The panels show the new state on the next poll: ask for that poll now (a refused plan changed nothing).
        if (task.detail.kind !== 'plan' || task.detail.run?.result !== 'refused') actions.refreshNow();
      },
    });
    this.prompts = new PromptFlow(this.store);
    this.arming = new Arming(actions.guard, this.store, this.prompts, {
      ...(opts.guardPollMs ? { pollMs: opts.guardPollMs } : {}),
      now: this.now,
    });
    this.logs = new LogPane(
      (source, onFrame) => actions.openLogTail(source, onFrame),
      () => actions.discoverLogSources(),
    );
  }

  /** The keyboard mode that has the keyboard: a prompt, then the task flow; null when neither is open. */
  mode(): ConsoleMode | null {
    return this.prompts.mode() ?? this.flow.mode();
  }

  /** Whether dangerous commands are bound now (not read-only, or armed). */
  enabled(): boolean {
    return actionsEnabled(this.store.getState().guard);
  }

  /** Shows a one-line message in place of the footer (an empty text clears it). */
  flash(text: string, error: boolean): void {
    if (text === '') return this.clearFlash();
    this.store.getState().set({ flash: { text, error, at: this.now() } });
  }

  /** Clears the one-line message. */
  clearFlash(): void {
    if (this.store.getState().flash) this.store.getState().set({ flash: null });
  }

  /** The console is closing: cancel a running task, stop the log stream, stop following the guard. */
  async dispose(): Promise<void> {
    this.flow.dispose();
    this.arming.dispose();
    await this.logs.stop();
    this.actions.dispose();
  }
}
