// Key presses → keymap commands → their handlers. The mode that has the keyboard decides which
// rows are bound: an open prompt, then the task flow's panel (its question, its typed name, its
// progress), then an overlay (help, palette, filter), else the active view. The keymap resolves
// the key; the one handler table (commands/handlers.ts) runs it. Typed text goes to whoever is
// taking text in that mode.
import { useInput, type Key } from 'ink';
import { useCallback, type Dispatch, type MutableRefObject } from 'react';
import type { ActionController } from '../app/console/action-controller.js';
import type { BackupsController } from '../app/console/backups-controller.js';
import type { CommandContext } from './commands/command-context.js';
import { HANDLERS } from './commands/handlers.js';
import type { ViewTargetBus } from './commands/view-targets.js';
import { keyPresses } from './key-names.js';
import { commandFor, type CommandId, type Mode, type ViewId } from './keymap.js';
import { keymapMode, selectedRow, uiReducer, type NavContext, type UiAction, type UiState } from './view-state.js';
import type { NavInfo } from './views/view-props.js';

/** What the input hook reads and writes. */
export interface ConsoleInput {
  ui: MutableRefObject<UiState>;
  dispatch: Dispatch<UiAction>;
  nav: MutableRefObject<Partial<Record<ViewId, NavInfo>>>;
  /** Started read-only (the guard decides once there is a controller). */
  readOnly: boolean;
  controller: ActionController | null;
  backups: BackupsController | null;
  bus: ViewTargetBus;
  onRedraw?: (() => void) | undefined;
}

/** The keyboard mode now: a prompt, the task flow's panel, an overlay; null when the view has the keyboard. */
export function currentMode(c: Pick<ConsoleInput, 'controller' | 'backups'>, u: UiState): Mode | null {
  const flow = c.controller?.flow ?? c.backups?.flow ?? null;
  return c.controller?.prompts.mode() ?? flow?.mode() ?? keymapMode(u.mode);
}

/** Listens to the keyboard for the whole console. */
export function useConsoleInput(c: ConsoleInput): void {
  const { ui, dispatch, nav, readOnly, controller, backups, bus, onRedraw } = c;
  const onInput = useCallback(
    (input: string, key: Key) => {
      const flow = controller?.flow ?? backups?.flow ?? null;
      const locked = () => (controller ? !controller.enabled() : readOnly);
      const navOf = (view: ViewId): NavContext => ({
        ...(nav.current[view] ?? { rows: 0, panels: 1, page: 10 }),
        readOnly: locked(),
      });
      const apply = (action: UiAction) => {
        // Keep the ref ahead of React so the next character of a chunk sees the new mode.
        ui.current = uiReducer(ui.current, action);
        dispatch(action);
      };
      const context = (view: ViewId): CommandContext => ({
        view,
        selected: selectedRow(ui.current, nav.current[view]?.rows ?? 0, view),
        targets: bus.get(view),
        ui: ui.current,
        locked: locked(),
        actions: controller,
        flow,
        backups,
        bus,
        reduce: (id: CommandId) => apply({ type: 'command', id, nav: navOf(ui.current.view) }),
        goTo: (to) => apply({ type: 'command', id: `view.${to}`, nav: navOf(ui.current.view) }),
        run: (id, there) => bus.defer(there, (targets) => HANDLERS[id]({ ...context(there), targets })),
        redraw: () => onRedraw?.(),
      });
      for (const press of keyPresses(input, key)) {
        const u = ui.current;
        const mode = currentMode({ controller, backups }, u);
        const cmd = press.name === '' ? undefined : commandFor(press.name, u.view, mode, locked());
        if (press.name !== '') controller?.clearFlash();
        if (cmd) HANDLERS[cmd.id](context(u.view));
        else if (press.text !== '' && (mode === 'input' || mode === 'typing')) {
          if (controller?.prompts.mode()) controller.prompts.type(press.text);
          else if (mode === 'typing') flow?.type(press.text);
          else apply({ type: 'text', text: press.text, nav: navOf(u.view) });
        }
      }
    },
    [ui, dispatch, nav, readOnly, controller, backups, bus, onRedraw],
  );
  useInput(onInput);
}
