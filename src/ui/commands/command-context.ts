// What a command handler gets at a key press: the view and row it applies to, the targets the
// view lends, the console's controllers, and the navigation reducer. Handlers are plain
// functions of this context (handlers.ts), so they are tested without rendering.
import type { ActionController } from '../../app/console/action-controller.js';
import type { BackupsController } from '../../app/console/backups-controller.js';
import type { TaskFlow } from '../../app/console/task-flow.js';
import type { CommandId, ViewId } from '../keymap.js';
import type { UiState } from '../view-state.js';
import type { ViewTargetBus, ViewTargets } from './view-targets.js';

export interface CommandContext {
  /** The view showing when the key was pressed (or the palette command's home view). */
  view: ViewId;
  /** The selected row of that view as of this key press (several presses can arrive before a render). */
  selected: number;
  targets: ViewTargets;
  /** The console's navigation state as of this key press. */
  ui: UiState;
  /** Dangerous commands are unbound now (read-only and not armed). */
  locked: boolean;
  actions: ActionController | null;
  /** The one task flow (the action controller's; the Backups controller's in a console without actions). */
  flow: TaskFlow | null;
  backups: BackupsController | null;
  bus: ViewTargetBus;
  /** Applies a command to the navigation reducer. */
  reduce(id: CommandId): void;
  /** Shows another view. */
  goTo(view: ViewId): void;
  /** Runs another command's handler (the palette), in `view` once it has mounted. */
  run(id: CommandId, view: ViewId): void;
  redraw(): void;
}

/** A command's handler. */
export type Handler = (c: CommandContext) => void;
