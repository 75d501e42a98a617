// The console's own state — which view, which row, sort, filter, palette — as a pure reducer
// over keymap commands, so navigation is tested without rendering anything.
import { fuzzyRank } from './fuzzy.js';
import {
  homeView,
  isActive,
  paletteCommands,
  VIEWS,
  VIEW_TITLES,
  type Command,
  type CommandId,
  type Mode,
  type ViewId,
} from './keymap.js';

export type UiMode = 'normal' | 'help' | 'palette' | 'filter';

export interface SortColumn {
  id: string;
  label: string;
  desc: boolean;
}

/** Sortable columns per view; the first is the default. Numeric columns sort largest first. */
export const SORT_COLUMNS: Partial<Record<ViewId, readonly SortColumn[]>> = {
  containers: [
    { id: 'name', label: 'name', desc: false },
    { id: 'state', label: 'state', desc: false },
    { id: 'health', label: 'health', desc: false },
    { id: 'restarts', label: 'restarts', desc: true },
    { id: 'uptime', label: 'uptime', desc: true },
    { id: 'cpu', label: 'CPU', desc: true },
    { id: 'memory', label: 'memory', desc: true },
  ],
  host: [
    { id: 'cpu', label: 'CPU', desc: true },
    { id: 'memory', label: 'memory', desc: true },
    { id: 'name', label: 'name', desc: false },
    { id: 'pid', label: 'PID', desc: false },
  ],
};

/** The overview's panels in focus order, each with the view Enter drills into. */
export const OVERVIEW_PANELS: readonly ViewId[] = ['host', 'containers', 'postgres', 'redis'];

export interface SortState {
  column: number;
  desc: boolean;
}

export interface UiState {
  view: ViewId;
  /** Views to go back to with Esc, most recent last. */
  history: ViewId[];
  mode: UiMode;
  paletteQuery: string;
  paletteSelected: number;
  /** The Containers filter text. */
  filter: string;
  helpScroll: number;
  /** Selected row per `${view}:${focus}`. */
  selected: Record<string, number>;
  /** Focused panel or table per view. */
  focus: Record<ViewId, number>;
  sort: Record<ViewId, SortState>;
  /** The details of the selected row are open. */
  detail: boolean;
  quit: boolean;
}

/** What the reducer needs to know about what is on screen: sizes of the focused list. */
export interface NavContext {
  rows: number;
  panels: number;
  page: number;
  readOnly: boolean;
}

export type UiAction =
  { type: 'command'; id: CommandId; nav: NavContext } | { type: 'text'; text: string; nav: NavContext };

const perView = <T>(make: (v: ViewId) => T): Record<ViewId, T> =>
  Object.fromEntries(VIEWS.map((v) => [v, make(v)])) as Record<ViewId, T>;

/** The state the console starts in. */
export function initialUiState(view: ViewId = 'overview'): UiState {
  return {
    view,
    history: [],
    mode: 'normal',
    paletteQuery: '',
    paletteSelected: 0,
    filter: '',
    helpScroll: 0,
    selected: {},
    focus: perView(() => 0),
    sort: perView((v) => ({ column: 0, desc: SORT_COLUMNS[v]?.[0]?.desc ?? false })),
    detail: false,
    quit: false,
  };
}

/** The keymap mode for a UI mode (null: the views have the keyboard). */
export function keymapMode(mode: UiMode): Mode | null {
  return mode === 'normal' ? null : mode === 'help' ? 'help' : 'input';
}

/** Key of the selected-row slot for the focused list of a view. */
export function selectionKey(state: UiState, view: ViewId = state.view): string {
  return `${view}:${state.focus[view]}`;
}

/** The selected row of the focused list, clamped to `rows`. */
export function selectedRow(state: UiState, rows: number, view: ViewId = state.view): number {
  const raw = state.selected[selectionKey(state, view)] ?? 0;
  return rows <= 0 ? 0 : Math.max(0, Math.min(rows - 1, raw));
}

/** Palette entries matching the query, best first. */
export function paletteMatches(query: string, readOnly: boolean): Command[] {
  return fuzzyRank(query, paletteCommands(readOnly), (c) => {
    const home = homeView(c);
    return [c.description, c.id, home ? `${VIEW_TITLES[home]} ${c.description}` : c.description];
  });
}

function select(state: UiState, nav: NavContext, to: (current: number) => number): UiState {
  const key = selectionKey(state);
  const current = selectedRow(state, nav.rows);
  const next = nav.rows <= 0 ? 0 : Math.max(0, Math.min(nav.rows - 1, to(current)));
  return next === (state.selected[key] ?? 0) ? state : { ...state, selected: { ...state.selected, [key]: next } };
}

function goTo(state: UiState, view: ViewId): UiState {
  if (view === state.view) return { ...state, detail: false };
  return { ...state, view, history: [...state.history, state.view].slice(-20), detail: false };
}

function cycle(state: UiState, step: number): UiState {
  const i = VIEWS.indexOf(state.view);
  return { ...state, view: VIEWS[(i + step + VIEWS.length) % VIEWS.length]!, detail: false };
}

function runCommand(state: UiState, id: CommandId, nav: NavContext): UiState {
  switch (id) {
    case 'quit':
    case 'interrupt':
      return { ...state, quit: true };
    case 'help':
      return { ...state, mode: 'help', helpScroll: 0 };
    case 'help.close':
      return { ...state, mode: 'normal' };
    case 'help.up':
      return { ...state, helpScroll: Math.max(0, state.helpScroll - 1) };
    case 'help.down':
      return { ...state, helpScroll: state.helpScroll + 1 };
    case 'palette':
      return { ...state, mode: 'palette', paletteQuery: '', paletteSelected: 0 };
    case 'filter':
      return { ...state, mode: 'filter' };
    case 'view.next':
      return cycle(state, 1);
    case 'view.prev':
      return cycle(state, -1);
    case 'back':
      if (state.detail) return { ...state, detail: false };
      if (state.history.length > 0)
        return { ...state, view: state.history[state.history.length - 1]!, history: state.history.slice(0, -1) };
      return state.view === 'overview' ? state : { ...state, view: 'overview' };
    case 'drill':
      if (state.view === 'overview') return goTo(state, OVERVIEW_PANELS[state.focus.overview] ?? 'overview');
      return nav.rows > 0 ? { ...state, detail: !state.detail } : state;
    case 'up':
      return select(state, nav, (r) => r - 1);
    case 'down':
      return select(state, nav, (r) => r + 1);
    case 'top':
      return select(state, nav, () => 0);
    case 'bottom':
      return select(state, nav, () => nav.rows - 1);
    case 'page.up':
      return select(state, nav, (r) => r - Math.max(1, nav.page));
    case 'page.down':
      return select(state, nav, (r) => r + Math.max(1, nav.page));
    case 'focus.prev':
    case 'focus.next': {
      if (nav.panels <= 1) return state;
      const step = id === 'focus.next' ? 1 : -1;
      const focus = (state.focus[state.view] + step + nav.panels) % nav.panels;
      return { ...state, focus: { ...state.focus, [state.view]: focus }, detail: false };
    }
    case 'sort':
    case 'sort.reverse': {
      const columns = SORT_COLUMNS[state.view];
      if (!columns) return state;
      const cur = state.sort[state.view];
      const next =
        id === 'sort.reverse'
          ? { column: cur.column, desc: !cur.desc }
          : { column: (cur.column + 1) % columns.length, desc: columns[(cur.column + 1) % columns.length]!.desc };
      return { ...state, sort: { ...state.sort, [state.view]: next } };
    }
    case 'input.up':
    case 'input.down':
      if (state.mode === 'palette') {
        const n = paletteMatches(state.paletteQuery, nav.readOnly).length;
        const step = id === 'input.down' ? 1 : -1;
        return { ...state, paletteSelected: n === 0 ? 0 : (state.paletteSelected + step + n) % n };
      }
      return select(state, nav, (r) => r + (id === 'input.down' ? 1 : -1));
    case 'input.erase':
      return state.mode === 'palette'
        ? { ...state, paletteQuery: state.paletteQuery.slice(0, -1), paletteSelected: 0 }
        : withFilter(state, state.filter.slice(0, -1));
    case 'input.cancel':
      return state.mode === 'palette' ? { ...state, mode: 'normal' } : { ...withFilter(state, ''), mode: 'normal' };
    case 'input.accept': {
      if (state.mode !== 'palette') return { ...state, mode: 'normal' };
      const cmd = paletteMatches(state.paletteQuery, nav.readOnly)[state.paletteSelected];
      const closed: UiState = { ...state, mode: 'normal' };
      if (!cmd) return closed;
      const home = homeView(cmd);
      // A view command run from elsewhere first opens its view ("filter" from the overview).
      const there = home !== null && !isActive(cmd, closed.view, null) ? goTo(closed, home) : closed;
      return runCommand(there, cmd.id, nav);
    }
    default: {
      if (id.startsWith('view.')) {
        const view = id.slice('view.'.length) as ViewId;
        if ((VIEWS as readonly string[]).includes(view)) return goTo(state, view);
      }
      return state;
    }
  }
}

function withFilter(state: UiState, filter: string): UiState {
  return { ...state, filter, selected: { ...state.selected, [selectionKey(state, 'containers')]: 0 } };
}

/** The reducer: applies one command or one piece of typed text. */
export function uiReducer(state: UiState, action: UiAction): UiState {
  if (action.type === 'text') {
    // eslint-disable-next-line no-control-regex -- typed text must not carry control characters
    const text = action.text.replace(/[\x00-\x1f\x7f]/g, '');
    if (text === '') return state;
    if (state.mode === 'palette')
      return { ...state, paletteQuery: (state.paletteQuery + text).slice(0, 60), paletteSelected: 0 };
    if (state.mode === 'filter') return withFilter(state, (state.filter + text).slice(0, 60));
    return state;
  }
  return runCommand(state, action.id, action.nav);
}
