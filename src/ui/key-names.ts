// One name per key press, so the keymap can speak in names ("j", "shift-tab", "ctrl-c")
// instead of scattering Ink's key flags through the views.
import type { Key } from 'ink';

/** Names a key press the way the keymap writes it; '' for presses with no name (mouse, paste). */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  // A paste arrives as one string; it is text, not a key.
  if (input.length === 1) return input;
  return '';
}

const GLYPHS: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  enter: 'Enter',
  esc: 'Esc',
  tab: 'Tab',
  'shift-tab': 'S-Tab',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  backspace: 'Bksp',
  ' ': 'Space',
};

/** How a key name is shown to the operator in hints and help ("↑", "Ctrl-C", "Enter"). */
export function keyLabel(name: string): string {
  const glyph = GLYPHS[name];
  if (glyph !== undefined) return glyph;
  if (name.startsWith('ctrl-')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return name;
}

const CONTROL_NAMES: Record<string, string> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x1b': 'esc',
};

export interface Press {
  /** Key name for the keymap ('' when the press has none). */
  name: string;
  /** Printable text it carries, for the palette and the filter ('' for control keys). */
  text: string;
}

/**
 * The presses in one chunk of input. Ink passes a run of plain characters as one string (fast
 * typing over SSH, a paste, tmux send-keys): it is taken character by character, so ":fil⏎"
 * opens the palette, types "fil" and runs it.
 */
export function keyPresses(input: string, key: Key): Press[] {
  const name = keyName(input, key);
  if (name !== '' || input.length <= 1 || key.ctrl || key.meta)
    return [{ name, text: key.ctrl || key.meta || name.length > 1 ? '' : input }];
  return [...input].map((ch) => {
    const control = CONTROL_NAMES[ch];
    if (control) return { name: control, text: '' };
    const code = ch.codePointAt(0)!;
    if (code < 0x20) return { name: `ctrl-${String.fromCharCode(code + 0x60)}`, text: '' };
    return { name: ch, text: ch };
  });
}
