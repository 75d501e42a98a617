// The console frame: header, tabs, the active view (or an overlay), footer. It owns the view
// state and turns key presses into keymap commands; views only render.
import { Box, Text } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { flowMode } from '../app/console/flow-state.js';
import type { FlowStoreState } from '../app/console/task-flow.js';
import { useActions, useActionState } from './actions/action-context.js';
import { FlashLine, PROMPT_LINES, PromptLines, useFlash } from './actions/action-lines.js';
import { useBackupsController } from './backups/context.js';
import { createViewTargetBus, ViewTargetProvider } from './commands/view-targets.js';
import { useConsoleInput } from './console-input.js';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { HelpOverlay } from './help-overlay.js';
import type { ViewId } from './keymap.js';
import { Palette } from './palette.js';
import { MIN_SIZE, useSize } from './size.js';
import { Tabs } from './tabs.js';
import { TaskPanel } from './task/task-panel.js';
import { initialUiState, keymapMode, selectionKey, uiReducer, type UiState } from './view-state.js';
import { ViewSwitch } from './views/view-switch.js';
import type { NavInfo } from './views/view-props.js';

export interface AppProps {
  hostname: string;
  readOnly: boolean;
  onQuit: () => void;
  /** Repaints the whole screen (Ctrl-L). */
  onRedraw?: () => void;
  initialView?: ViewId;
  /** Draw the clock with React (tests); the live console draws it outside the frames. */
  clockInHeader?: boolean;
}

const NO_FLOW = createStore<FlowStoreState>(() => ({ flow: null }));

/** Lines the frame itself takes: header, tabs, footer. */
const CHROME = 3;

/** The whole console. */
export function App({
  hostname,
  readOnly,
  onQuit,
  onRedraw,
  initialView = 'overview',
  clockInHeader = true,
}: AppProps) {
  const { columns, rows } = useSize();
  const [ui, dispatch] = useReducer(uiReducer, initialView, initialUiState);
  const uiRef = useRef<UiState>(ui);
  uiRef.current = ui;
  // List sizes are read only on a key press: a ref, not state.
  const nav = useRef<Partial<Record<ViewId, NavInfo>>>({});
  const report = useCallback((view: ViewId, info: NavInfo) => {
    nav.current[view] = info;
  }, []);
  const controller = useActions();
  const backups = useBackupsController();
  const flow = controller?.flow ?? backups?.flow ?? null;
  const [bus] = useState(createViewTargetBus);
  useConsoleInput({ ui: uiRef, dispatch, nav, readOnly, controller, backups, bus, onRedraw });
  const guardMode = useActionState((s) => s.guard.mode);
  // The flow's keyboard mode (null: no panel showing) decides the body and the footer's hints.
  const taskMode = useStore(flow?.store ?? NO_FLOW, (s) => flowMode(s.flow));
  const prompting = useActionState((s) => s.prompt !== null);
  const flash = useFlash();
  const locked = controller ? guardMode === 'read-only' : readOnly;

  useEffect(() => {
    if (ui.quit) onQuit();
  }, [ui.quit, onQuit]);
  // One stream per pane: leaving the Logs view stops its stream and child process.
  useEffect(() => {
    if (ui.view !== 'logs' && controller) void controller.logs.stop();
  }, [ui.view, controller]);

  if (columns < MIN_SIZE.columns || rows < MIN_SIZE.rows) {
    const need = `${MIN_SIZE.columns}×${MIN_SIZE.rows}`;
    return <Text wrap="truncate">{`terminal too small (need ${need}, have ${columns}×${rows})`}</Text>;
  }
  // One line short of the screen: a frame never touches the bottom-right cell (some terminals
  // scroll when it is written).
  const height = rows - 1;
  const bodyHeight = height - CHROME - (prompting ? PROMPT_LINES : 0);
  let body;
  if (ui.mode === 'help')
    body = <HelpOverlay width={columns} height={bodyHeight} scroll={ui.helpScroll} readOnly={locked} />;
  else if (ui.mode === 'palette')
    body = (
      <Palette
        width={columns}
        height={bodyHeight}
        query={ui.paletteQuery}
        selected={ui.paletteSelected}
        readOnly={locked}
      />
    );
  else if (flow && taskMode !== null) body = <TaskPanel flow={flow} width={columns} height={bodyHeight} />;
  else
    body = (
      <ViewSwitch
        view={ui.view}
        width={columns}
        height={bodyHeight}
        focus={ui.focus[ui.view]}
        selected={ui.selected[selectionKey(ui)] ?? 0}
        sort={ui.sort[ui.view]}
        filter={ui.filter}
        detail={ui.detail}
        report={report}
      />
    );
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Header hostname={hostname} width={columns} clock={clockInHeader} />
      <Tabs view={ui.view} width={columns} />
      <Box height={bodyHeight} width={columns} flexDirection="column" overflowY="hidden">
        <ViewTargetProvider bus={bus}>{body}</ViewTargetProvider>
      </Box>
      <PromptLines width={columns} />
      {flash ? (
        <FlashLine width={columns} flash={flash} />
      ) : (
        <Footer
          view={ui.view}
          mode={prompting ? 'input' : (taskMode ?? keymapMode(ui.mode))}
          readOnly={locked}
          width={columns}
          filter={ui.filter}
          filtering={ui.mode === 'filter'}
        />
      )}
    </Box>
  );
}
