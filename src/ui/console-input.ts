// Key presses → keymap commands, and where each one goes: the open prompt or plan dialog first
// (it has the keyboard), then an overlay (help, palette, filter), then a view that reports a
// modal mode of its own, then the active view's own commands, the action controller (arming),
// and last the navigation reducer. One table decides the binding in every case.
import { useInput, type Key } from 'ink';
import { useCallback, type Dispatch, type MutableRefObject } from 'react';
import { isActionCommand } from './action-keys.js';
import type { ActionController } from './actions/action-controller.js';
import { keyPresses } from './key-names.js';
import { commandFor, homeView, type CommandId, type Mode, type ViewId } from './keymap.js';
import { keymapMode, paletteMatches, selectedRow, uiReducer, type NavContext, type UiAction, type UiState } from './view-state.js';
import type { ViewCommandBus } from './view-commands.js';
import type { NavInfo } from './views/view-props.js';

/** What the input hook reads and writes. */
export interface ConsoleInput {
  ui: MutableRefObject<UiState>;
  dispatch: Dispatch<UiAction>;
  nav: MutableRefObject<Partial<Record<ViewId, NavInfo>>>;
  /** Started read-only (the guard decides once there is a controller). */
  readOnly: boolean;
  controller: ActionController | null;
  bus: ViewCommandBus;
  onRedraw?: (() => void) | undefined;
}

/** Listens to the keyboard for the whole console. */
export function useConsoleInput(c: ConsoleInput): void {
  const { ui, dispatch, nav, readOnly, controller, bus, onRedraw } = c;
  const onInput = useCallback(
    (input: string, key: Key) => {
      for (const press of keyPresses(input, key)) {
        const u = ui.current;
        const locked = controller ? !controller.enabled() : readOnly;
        const ctx: NavContext = { ...(nav.current[u.view] ?? { rows: 0, panels: 1, page: 10 }), readOnly: locked };
        const reduce = (id: CommandId) => {
          const action: UiAction = { type: 'command', id, nav: ctx };
          // Keep the ref ahead of React so the next character of a chunk sees the new mode.
          ui.current = uiReducer(ui.current, action);
          dispatch(action);
        };
        const modalOwner = controller?.mode() ?? null;
        const viewMode: Mode | null = modalOwner === null && u.mode === 'normal' ? (nav.current[u.view]?.mode ?? null) : null;
        const mode = modalOwner ?? viewMode ?? keymapMode(u.mode);
        const cmd = press.name === '' ? undefined : commandFor(press.name, u.view, mode, locked);
        if (press.name !== '') controller?.clearFlash();
        if (cmd?.id === 'redraw') {
          onRedraw?.();
          continue;
        }
        if (modalOwner !== null || viewMode !== null) {
          const typing = mode === 'input' || mode === 'typing';
          if (cmd?.id === 'interrupt') reduce('interrupt');
          else if (modalOwner !== null) {
            if (cmd) controller!.command(cmd.id);
            else if (typing && press.text !== '') controller!.text(press.text);
          } else if (cmd) bus.run(u.view, cmd.id, selectedRow(u, ctx.rows));
          else if (typing && press.text !== '') bus.text(u.view, press.text);
          continue;
        }
        // The selection as of this press (several presses can arrive before the views render again).
        if (cmd && mode === null && (bus.run(u.view, cmd.id, selectedRow(u, ctx.rows)) || controller?.command(cmd.id))) continue;
        if (cmd?.id === 'input.accept' && u.mode === 'palette') {
          const chosen = paletteMatches(u.paletteQuery, locked)[u.paletteSelected];
          if (chosen && isActionCommand(chosen.id)) {
            reduce('input.cancel');
            const home = homeView(chosen);
            if (home === null) controller?.command(chosen.id);
            else {
              if (home !== u.view) reduce(`view.${home}`);
              bus.defer(home, chosen.id, selectedRow(ui.current, nav.current[home]?.rows ?? 0, home));
            }
            continue;
          }
        }
        if (cmd) reduce(cmd.id);
        else if (mode === 'input' && press.text !== '') {
          const action: UiAction = { type: 'text', text: press.text, nav: ctx };
          ui.current = uiReducer(u, action);
          dispatch(action);
        }
      }
    },
    [ui, dispatch, nav, readOnly, controller, bus, onRedraw],
  );
  useInput(onInput);
}
