// The console frame: header, tabs, the active view (or an overlay), footer. It owns the view
// state and turns key presses into keymap commands; views only render.
import { Box, Text, useInput, type Key } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { HelpOverlay } from './help-overlay.js';
import { keyPresses } from './key-names.js';
import { commandFor, type ViewId } from './keymap.js';
import { Palette } from './palette.js';
import { MIN_SIZE, useSize } from './size.js';
import { Tabs } from './tabs.js';
import { initialUiState, keymapMode, selectionKey, uiReducer, type UiAction, type UiState } from './view-state.js';
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

/** Lines the frame itself takes: header, tabs, footer. */
const CHROME = 3;

/** The whole console. */
export function App({ hostname, readOnly, onQuit, onRedraw, initialView = 'overview', clockInHeader = true }: AppProps) {
  const { columns, rows } = useSize();
  const [ui, dispatch] = useReducer(uiReducer, initialView, initialUiState);
  const uiRef = useRef<UiState>(ui);
  uiRef.current = ui;
  const nav = useRef<Partial<Record<ViewId, NavInfo>>>({});
  const report = useCallback((view: ViewId, info: NavInfo) => {
    nav.current[view] = info;
  }, []);

  const onInput = useCallback(
    (input: string, key: Key) => {
      for (const press of keyPresses(input, key)) {
        const u = uiRef.current;
        const mode = keymapMode(u.mode);
        const ctx = { ...(nav.current[u.view] ?? { rows: 0, panels: 1, page: 10 }), readOnly };
        const cmd = press.name === '' ? undefined : commandFor(press.name, u.view, mode, readOnly);
        let action: UiAction | null = null;
        if (cmd?.id === 'redraw') onRedraw?.();
        else if (cmd) action = { type: 'command', id: cmd.id, nav: ctx };
        else if (mode === 'input' && press.text !== '') action = { type: 'text', text: press.text, nav: ctx };
        if (action) {
          // Keep the ref ahead of React so the next character of a chunk sees the new mode.
          uiRef.current = uiReducer(u, action);
          dispatch(action);
        }
      }
    },
    [readOnly, onRedraw],
  );
  useInput(onInput);

  useEffect(() => {
    if (ui.quit) onQuit();
  }, [ui.quit, onQuit]);

  if (columns < MIN_SIZE.columns || rows < MIN_SIZE.rows) {
    return <Text wrap="truncate">{`terminal too small (need ${MIN_SIZE.columns}×${MIN_SIZE.rows}, have ${columns}×${rows})`}</Text>;
  }
  // One line short of the screen: a frame never touches the bottom-right cell (some terminals
  // scroll when it is written).
  const height = rows - 1;
  const bodyHeight = height - CHROME;
  let body;
  if (ui.mode === 'help') body = <HelpOverlay width={columns} height={bodyHeight} scroll={ui.helpScroll} readOnly={readOnly} />;
  else if (ui.mode === 'palette') body = <Palette width={columns} height={bodyHeight} query={ui.paletteQuery} selected={ui.paletteSelected} readOnly={readOnly} />;
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
        {body}
      </Box>
      <Footer view={ui.view} mode={keymapMode(ui.mode)} readOnly={readOnly} width={columns} filter={ui.filter} filtering={ui.mode === 'filter'} />
    </Box>
  );
}
