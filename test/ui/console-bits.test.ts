import { afterEach, describe, expect, it } from 'vitest';
import { holdsFor, waitFor } from '../helpers/wait.js';
import type { Key } from 'ink';
import { coalesceStore } from '../../src/ui/coalesced-store.js';
import { keyPresses } from '../../src/ui/key-names.js';
import { levelColor, levelLabel } from '../../src/ui/theme.js';
import { filledStore } from './fixtures.js';

const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

describe('theme', () => {
  it('drops colours with NO_COLOR but keeps the symbol and word of each level', () => {
    process.env.NO_COLOR = '';
    expect(levelColor('CRITICAL')).toBe('red');
    process.env.NO_COLOR = '1';
    expect(levelColor('CRITICAL')).toBeUndefined();
    expect(levelLabel('CRITICAL')).toMatch(/CRITICAL$/);
    expect(levelLabel('WARNING', true)).toMatch(/WARN$/);
  });
});

describe('key chunks', () => {
  const none: Key = {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
  };
  it('splits a run of characters into presses, naming control characters', () => {
    expect(keyPresses(':ab\r', none).map((p) => p.name)).toEqual([':', 'a', 'b', 'enter']);
    expect(keyPresses('x\t\x7f\x03', none).map((p) => p.name)).toEqual(['x', 'tab', 'backspace', 'ctrl-c']);
    expect(keyPresses('', { ...none, upArrow: true })).toEqual([{ name: 'up', text: '' }]);
    expect(keyPresses('q', none)).toEqual([{ name: 'q', text: 'q' }]);
  });
});

describe('coalesced store', () => {
  it('tells subscribers once per burst and keeps the rendered snapshot until then', async () => {
    const store = filledStore();
    const view = coalesceStore(store, 20);
    let calls = 0;
    view.subscribe(() => calls++);
    const before = view.getState();
    store.getState().setReadOnly(true);
    store.getState().setReadOnly(false);
    store.getState().setReadOnly(true);
    expect(view.getState()).toBe(before);
    await waitFor(() => calls > 0, { what: 'the burst to be told' });
    // One call for the whole burst: three times the 20 ms window shows no second one follows.
    await holdsFor(60, () => calls === 1, 'one call per burst');
    expect(calls).toBe(1);
    expect(view.getState().readOnly).toBe(true);
    view.dispose();
  });
});
