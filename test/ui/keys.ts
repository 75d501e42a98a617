// Tests press commands by their keymap name, never by a literal key: `commandKey('container.stop')`
// finds the first key the keymap binds to that command in its scope, and `keyBytes` and
// `tmuxKey` turn that key name into what a terminal sends or what tmux send-keys takes. A
// rebinding in the keymap moves the tests with it.
import {
  commandFor,
  COMMANDS,
  scopesOf,
  VIEWS,
  type CommandId,
  type Mode,
  type Scope,
  type ViewId,
} from '../../src/ui/keymap.js';

const isView = (s: Scope): s is ViewId => (VIEWS as readonly string[]).includes(s);

/** The first key bound to `id` in `scope` (default: the command's first scope). */
export function commandKey(id: CommandId, scope?: Scope): string {
  const row = COMMANDS.find((c) => c.id === id);
  if (!row) throw new Error(`no keymap row for ${id}`);
  const where = scope ?? scopesOf(row)[0]!;
  const view: ViewId = isView(where) ? where : 'overview';
  const mode: Mode | null = where === 'global' || isView(where) ? null : where;
  const key = row.keys.find((k) => commandFor(k, view, mode, false)?.id === id);
  if (!key) throw new Error(`${id} has no key bound in ${where}`);
  return key;
}

const BYTES: Record<string, string> = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
  home: '\x1b[H',
  end: '\x1b[F',
  tab: '\t',
  'shift-tab': '\x1b[Z',
  enter: '\r',
  esc: '\x1b',
  backspace: '\x7f',
};

/** What a terminal sends for a keymap key name. */
export function keyBytes(name: string): string {
  if (BYTES[name] !== undefined) return BYTES[name];
  if (name.startsWith('ctrl-')) return String.fromCharCode(name.charCodeAt(5) - 96);
  return name;
}

const TMUX: Record<string, string> = {
  up: 'Up',
  down: 'Down',
  right: 'Right',
  left: 'Left',
  pageup: 'PPage',
  pagedown: 'NPage',
  home: 'Home',
  end: 'End',
  tab: 'Tab',
  'shift-tab': 'BTab',
  enter: 'Enter',
  esc: 'Escape',
  backspace: 'BSpace',
  ' ': 'Space',
};

/** The tmux send-keys name of a keymap key name. */
export function tmuxKey(name: string): string {
  if (TMUX[name] !== undefined) return TMUX[name];
  if (name.startsWith('ctrl-')) return `C-${name.slice(5)}`;
  return name;
}

/**
 * `key`, after checking the keymap binds it to `id` in `scope` (a test about that very key, e.g.
 * Ctrl-C cancelling).
 */
export function boundKey(id: CommandId, key: string, scope: Scope): string {
  const view: ViewId = isView(scope) ? scope : 'overview';
  const mode: Mode | null = scope === 'global' || isView(scope) ? null : scope;
  if (commandFor(key, view, mode, false)?.id !== id) throw new Error(`${key} is not bound to ${id} in ${scope}`);
  return key;
}
