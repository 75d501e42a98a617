import { describe, expect, it } from 'vitest';
import { VIEWS, type CommandId } from '../../src/ui/keymap.js';
import {
  initialUiState,
  paletteMatches,
  selectedRow,
  uiReducer,
  type NavContext,
  type UiState,
} from '../../src/ui/view-state.js';

const nav: NavContext = { rows: 5, panels: 3, page: 2, readOnly: false };
const run = (state: UiState, ...ids: CommandId[]) =>
  ids.reduce((s, id) => uiReducer(s, { type: 'command', id, nav }), state);
const type = (state: UiState, text: string) => uiReducer(state, { type: 'text', text, nav });

describe('view state reducer', () => {
  it('moves the selection within the list, with pages, top and bottom', () => {
    let s = initialUiState('containers');
    s = run(s, 'down', 'down');
    expect(selectedRow(s, 5)).toBe(2);
    s = run(s, 'page.down', 'down');
    expect(selectedRow(s, 5)).toBe(4);
    s = run(s, 'top');
    expect(selectedRow(s, 5)).toBe(0);
    s = run(s, 'up');
    expect(selectedRow(s, 5)).toBe(0);
    s = run(s, 'bottom');
    expect(selectedRow(s, 5)).toBe(4);
    // A shorter list clamps what is shown.
    expect(selectedRow(s, 2)).toBe(1);
  });

  it('keeps the same object when nothing changes (no re-render)', () => {
    const s = initialUiState('containers');
    expect(run(s, 'up')).toBe(s);
    expect(uiReducer(s, { type: 'text', text: 'x', nav })).toBe(s);
  });

  it('switches views by number and Tab, and Esc goes back', () => {
    let s = initialUiState();
    s = run(s, 'view.postgres');
    expect(s.view).toBe('postgres');
    s = run(s, 'view.next');
    expect(s.view).toBe('redis');
    s = run(s, 'view.prev', 'view.prev');
    expect(s.view).toBe('containers');
    s = run(s, 'view.timeline', 'back');
    expect(s.view).toBe('containers');
    s = run(s, 'back');
    expect(s.view).toBe('overview');
    s = run(s, 'view.prev');
    expect(s.view).toBe(VIEWS[VIEWS.length - 1]); // wraps around to the last view
  });

  it('drills from the focused overview panel into its view', () => {
    const overview = { ...nav, panels: 4 };
    const go = (state: UiState, ...ids: CommandId[]) =>
      ids.reduce((st, id) => uiReducer(st, { type: 'command', id, nav: overview }), state);
    let s = initialUiState();
    s = go(s, 'focus.next', 'focus.next', 'drill');
    expect(s.view).toBe('postgres');
    s = go(s, 'back', 'focus.prev', 'focus.prev', 'focus.prev', 'drill');
    expect(s.view).toBe('redis');
  });

  it('opens and closes details with Enter and Esc', () => {
    let s = run(initialUiState('containers'), 'drill');
    expect(s.detail).toBe(true);
    s = run(s, 'back');
    expect(s.detail).toBe(false);
    expect(s.view).toBe('containers');
  });

  it('cycles the sort column and reverses it', () => {
    let s = initialUiState('containers');
    expect(s.sort.containers).toEqual({ column: 0, desc: false });
    s = run(s, 'sort');
    expect(s.sort.containers).toEqual({ column: 1, desc: false });
    s = run(s, 'sort', 'sort', 'sort');
    expect(s.sort.containers).toEqual({ column: 4, desc: true }); // uptime: longest first
    s = run(s, 'sort.reverse');
    expect(s.sort.containers.desc).toBe(false);
    expect(run(initialUiState('postgres'), 'sort').sort).toEqual(initialUiState('postgres').sort);
  });

  it('types a filter, keeps it with Enter and clears it with Esc', () => {
    let s = run(initialUiState('containers'), 'down', 'filter');
    expect(s.mode).toBe('filter');
    s = type(type(s, 'we'), 'b\x1b');
    expect(s.filter).toBe('web');
    expect(selectedRow(s, 5)).toBe(0);
    s = run(s, 'input.erase');
    expect(s.filter).toBe('we');
    s = run(s, 'input.accept');
    expect(s.mode).toBe('normal');
    expect(s.filter).toBe('we');
    s = run(s, 'filter', 'input.cancel');
    expect(s.filter).toBe('');
  });

  it('runs palette commands by fuzzy match, switching view for view commands', () => {
    let s = run(initialUiState(), 'palette');
    s = type(s, 'redis');
    expect(paletteMatches(s.paletteQuery, false)[0]?.id).toBe('view.redis');
    s = run(s, 'input.accept');
    expect(s.mode).toBe('normal');
    expect(s.view).toBe('redis');
    s = type(run(s, 'palette'), 'filtr');
    expect(paletteMatches(s.paletteQuery, false)[0]?.id).toBe('filter');
    s = run(s, 'input.accept');
    expect(s.view).toBe('containers');
    expect(s.mode).toBe('filter');
  });

  it('moves through palette matches and closes without running on Esc', () => {
    let s = type(run(initialUiState(), 'palette'), 'view');
    const matches = paletteMatches('view', false);
    expect(matches.length).toBeGreaterThan(2);
    s = run(s, 'input.down', 'input.down');
    expect(s.paletteSelected).toBe(2);
    s = run(s, 'input.up', 'input.up', 'input.up');
    expect(s.paletteSelected).toBe(matches.length - 1);
    s = run(s, 'input.cancel');
    expect(s.mode).toBe('normal');
    expect(s.view).toBe('overview');
  });

  it('opens help, scrolls it, and quits', () => {
    let s = run(initialUiState(), 'help', 'help.down', 'help.down', 'help.up');
    expect(s.mode).toBe('help');
    expect(s.helpScroll).toBe(1);
    s = run(s, 'help.close');
    expect(s.mode).toBe('normal');
    expect(run(s, 'quit').quit).toBe(true);
  });
});
