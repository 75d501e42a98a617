// The one table of commands: each row is a key action (keys, description, where it is bound,
// whether it changes things); its handler is the entry of the same id in commands/handlers.ts
// (test/ui/keymap.test.ts fails on a row without a handler or a handler without a row). Input
// handling, the footer hints, panel hints, the `?` overlay, the `:` palette and the README's
// key table are all generated from it, so a binding cannot drift from its description. The
// dangerous rows are left unbound while the console is read-only and not armed.
import type { ConsoleMode } from '../app/console/action-controller.js';
import { keyLabel } from './key-names.js';

export const VIEWS = [
  'overview',
  'host',
  'containers',
  'postgres',
  'redis',
  'timeline',
  'backups',
  'services',
  'logs',
  'audit',
  'endpoints',
] as const;
export type ViewId = (typeof VIEWS)[number];

/** The key of each view: 1…9 and 0 for the first ten, a letter past them. */
const LETTER_KEYS: Partial<Record<ViewId, string>> = { endpoints: 'E' };
export function viewKey(view: ViewId): string {
  const i = VIEWS.indexOf(view);
  return i < 10 ? String((i + 1) % 10) : LETTER_KEYS[view]!;
}

/**
 * Modal states that take the keyboard away from the views: the help overlay, text entry (the
 * palette, the filter, a prompt); and the task flow's panel, its yes/no question, its typed name.
 */
export type Mode = 'help' | ConsoleMode;
/** Where a command is bound: everywhere, in some views, or inside a mode. */
export type Scope = 'global' | ViewId | Mode;

export const VIEW_TITLES: Record<ViewId, string> = {
  overview: 'Overview',
  host: 'Host',
  containers: 'Containers',
  postgres: 'PostgreSQL',
  redis: 'Redis',
  timeline: 'Timeline',
  backups: 'Backups',
  services: 'Services',
  logs: 'Logs',
  audit: 'Audit',
  endpoints: 'Endpoints',
};

/** Help-overlay titles of the modes a view reports (task panels, questions, typed confirmations). */
export const MODE_TITLES: Partial<Record<Mode, string>> = {
  task: 'In a task panel (an action, backup, prune, verify, drill, restore)',
  question: 'When asked a yes/no question',
  typing: 'While typing a confirmation',
};

export type CommandId =
  | 'quit'
  | 'interrupt'
  | 'redraw'
  | 'help'
  | 'palette'
  | 'view.next'
  | 'view.prev'
  | `view.${ViewId}`
  | 'back'
  | 'drill'
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'page.up'
  | 'page.down'
  | 'focus.prev'
  | 'focus.next'
  | 'sort'
  | 'sort.reverse'
  | 'filter'
  | 'help.close'
  | 'help.up'
  | 'help.down'
  | 'input.accept'
  | 'input.cancel'
  | 'input.up'
  | 'input.down'
  | 'input.erase'
  | 'backups.verify'
  | 'backups.backup'
  | 'backups.prune'
  | 'backups.drill'
  | 'backups.restore'
  | 'backups.restore-files'
  | 'task.cancel'
  | 'task.close'
  | 'task.up'
  | 'task.down'
  | 'question.yes'
  | 'question.no'
  | 'typing.accept'
  | 'typing.cancel'
  | 'typing.erase'
  | 'container.start'
  | 'container.stop'
  | 'container.restart'
  | 'container.logs'
  | 'postgres.cancel'
  | 'postgres.terminate'
  | 'service.start'
  | 'service.stop'
  | 'service.restart'
  | 'service.reload'
  | 'service.start-all'
  | 'service.stop-all'
  | 'logs.pause'
  | 'logs.filter'
  | 'logs.source'
  | 'logs.history'
  | 'logs.window'
  | 'arm';

export interface Command {
  id: CommandId;
  /** Key names as produced by keyName(): 'j', 'down', 'shift-tab', 'ctrl-c', 'enter', 'esc'. */
  keys: readonly string[];
  /** One line for the help overlay and the palette. */
  description: string;
  scope: Scope | readonly Scope[];
  /** Changes the state of a target; never bound in read-only mode. */
  dangerous: boolean;
  /** Short label for the footer; commands sharing a label share one hint ("↑↓ move"). */
  hint?: string;
}

const viewCommands: Command[] = VIEWS.map((view) => ({
  id: `view.${view}` as const,
  keys: [viewKey(view)],
  description: `Show the ${VIEW_TITLES[view]} view`,
  scope: 'global',
  dangerous: false,
}));

/** Every command opsdeck knows, in the order the help overlay lists them. */
export const COMMANDS: readonly Command[] = [
  {
    id: 'up',
    keys: ['up', 'k'],
    description: 'Select the previous row',
    scope: 'global',
    dangerous: false,
    hint: 'move',
  },
  {
    id: 'down',
    keys: ['down', 'j'],
    description: 'Select the next row',
    scope: 'global',
    dangerous: false,
    hint: 'move',
  },
  { id: 'top', keys: ['g', 'home'], description: 'Jump to the first row', scope: 'global', dangerous: false },
  { id: 'bottom', keys: ['G', 'end'], description: 'Jump to the last row', scope: 'global', dangerous: false },
  { id: 'page.up', keys: ['pageup', 'ctrl-u'], description: 'Scroll one page up', scope: 'global', dangerous: false },
  {
    id: 'page.down',
    keys: ['pagedown', 'ctrl-d'],
    description: 'Scroll one page down',
    scope: 'global',
    dangerous: false,
  },
  {
    id: 'focus.prev',
    keys: ['left', 'h'],
    description: 'Focus the previous panel or table',
    scope: 'global',
    dangerous: false,
    hint: 'panel',
  },
  {
    id: 'focus.next',
    keys: ['right', 'l'],
    description: 'Focus the next panel or table',
    scope: 'global',
    dangerous: false,
    hint: 'panel',
  },
  {
    id: 'drill',
    keys: ['enter'],
    description: 'Open the selected panel or show details of the selected row',
    scope: 'global',
    dangerous: false,
    hint: 'open',
  },
  {
    id: 'back',
    keys: ['esc'],
    description: 'Close details, or go back to the previous view',
    scope: 'global',
    dangerous: false,
    hint: 'back',
  },
  {
    id: 'view.next',
    keys: ['tab'],
    description: 'Show the next view',
    scope: 'global',
    dangerous: false,
    hint: 'view',
  },
  { id: 'view.prev', keys: ['shift-tab'], description: 'Show the previous view', scope: 'global', dangerous: false },
  ...viewCommands,
  {
    id: 'sort',
    keys: ['s'],
    description: 'Sort by the next column',
    scope: ['host', 'containers'],
    dangerous: false,
    hint: 'sort',
  },
  {
    id: 'sort.reverse',
    keys: ['S'],
    description: 'Reverse the sort order',
    scope: ['host', 'containers'],
    dangerous: false,
  },
  {
    id: 'filter',
    keys: ['/'],
    description: 'Filter containers by name, image or state',
    scope: ['containers'],
    dangerous: false,
    hint: 'filter',
  },
  {
    id: 'palette',
    keys: [':'],
    description: 'Open the command palette (fuzzy search over every command)',
    scope: 'global',
    dangerous: false,
    hint: 'cmd',
  },
  { id: 'help', keys: ['?'], description: 'Show every key binding', scope: 'global', dangerous: false, hint: 'help' },
  {
    id: 'quit',
    keys: ['q'],
    description: 'Quit opsdeck and restore the terminal',
    scope: ['global', 'help'],
    dangerous: false,
    hint: 'quit',
  },
  {
    id: 'interrupt',
    keys: ['ctrl-c'],
    description: 'Quit opsdeck from anywhere, even while typing',
    scope: ['global', 'help', 'input'],
    dangerous: false,
  },
  {
    id: 'redraw',
    keys: ['ctrl-l'],
    description: 'Redraw the whole screen',
    scope: ['global', 'help', 'input', 'task', 'question', 'typing'],
    dangerous: false,
  },
  { id: 'help.up', keys: ['up', 'k'], description: 'Scroll the help up', scope: 'help', dangerous: false },
  { id: 'help.down', keys: ['down', 'j'], description: 'Scroll the help down', scope: 'help', dangerous: false },
  {
    id: 'help.close',
    keys: ['esc', '?'],
    description: 'Close the help',
    scope: 'help',
    dangerous: false,
    hint: 'close',
  },
  {
    id: 'input.up',
    keys: ['up', 'ctrl-p'],
    description: 'Select the previous match (palette)',
    scope: 'input',
    dangerous: false,
    hint: 'select',
  },
  {
    id: 'input.down',
    keys: ['down', 'ctrl-n'],
    description: 'Select the next match (palette)',
    scope: 'input',
    dangerous: false,
    hint: 'select',
  },
  {
    id: 'input.erase',
    keys: ['backspace'],
    description: 'Delete the last character',
    scope: 'input',
    dangerous: false,
  },
  {
    id: 'input.accept',
    keys: ['enter'],
    description: 'Run the selected command, or keep the filter',
    scope: 'input',
    dangerous: false,
    hint: 'run',
  },
  {
    id: 'input.cancel',
    keys: ['esc'],
    description: 'Close the palette, or clear the filter',
    scope: 'input',
    dangerous: false,
    hint: 'cancel',
  },
  {
    id: 'backups.verify',
    keys: ['v'],
    description: 'Re-verify the selected backup (checksum, decompression, dump marker)',
    scope: 'backups',
    dangerous: false,
    hint: 'verify',
  },
  {
    id: 'backups.backup',
    keys: ['b'],
    description: 'Take a backup of every configured source now',
    scope: 'backups',
    dangerous: true,
    hint: 'backup',
  },
  {
    id: 'backups.prune',
    keys: ['p'],
    description: 'Prune by the retention policy (the list and reasons first)',
    scope: 'backups',
    dangerous: true,
    hint: 'prune',
  },
  {
    id: 'backups.drill',
    keys: ['D'],
    description: 'Drill: restore the selected backup into a scratch database, verify, drop it',
    scope: 'backups',
    dangerous: true,
    hint: 'drill',
  },
  {
    id: 'backups.restore',
    keys: ['R'],
    description: 'Restore the database from the selected backup (guided walkthrough)',
    scope: 'backups',
    dangerous: true,
    hint: 'restore',
  },
  {
    id: 'backups.restore-files',
    keys: ['F'],
    description: 'Restore the files of the selected file-set backup (preflight, safety copy, verify, rollback)',
    scope: 'backups',
    dangerous: true,
    hint: 'restore files',
  },
  {
    id: 'task.cancel',
    keys: ['x', 'ctrl-c'],
    description: 'Cancel the running job at its next safe point',
    scope: 'task',
    dangerous: false,
    hint: 'cancel',
  },
  {
    id: 'task.close',
    keys: ['esc'],
    description: 'Close the panel (a running action, backup, prune, verify or drill goes on; a restore stays)',
    scope: 'task',
    dangerous: false,
    hint: 'close',
  },
  {
    id: 'task.up',
    keys: ['up', 'k'],
    description: 'Scroll the panel up',
    scope: ['task', 'question'],
    dangerous: false,
    hint: 'scroll',
  },
  {
    id: 'task.down',
    keys: ['down', 'j'],
    description: 'Scroll the panel down',
    scope: ['task', 'question'],
    dangerous: false,
    hint: 'scroll',
  },
  {
    id: 'question.yes',
    keys: ['y'],
    description: 'Answer yes: go ahead',
    scope: 'question',
    dangerous: false,
    hint: 'yes',
  },
  {
    id: 'question.no',
    keys: ['n', 'esc', 'ctrl-c'],
    description: 'Answer no: nothing more is done',
    scope: 'question',
    dangerous: false,
    hint: 'no',
  },
  {
    id: 'typing.accept',
    keys: ['enter'],
    description: 'Confirm the typed name',
    scope: 'typing',
    dangerous: false,
    hint: 'confirm',
  },
  {
    id: 'typing.cancel',
    keys: ['esc', 'ctrl-c'],
    description: 'Abort the typed confirmation: nothing more is done (a drop does not happen)',
    scope: 'typing',
    dangerous: false,
    hint: 'abort',
  },
  {
    id: 'typing.erase',
    keys: ['backspace'],
    description: 'Delete the last typed character',
    scope: 'typing',
    dangerous: false,
  },
  {
    id: 'container.start',
    keys: ['U'],
    description: 'Start the selected container',
    scope: 'containers',
    dangerous: true,
    hint: 'start',
  },
  {
    id: 'container.stop',
    keys: ['X'],
    description: 'Stop the selected container (asks for a yes)',
    scope: 'containers',
    dangerous: true,
    hint: 'stop',
  },
  {
    id: 'container.restart',
    keys: ['R'],
    description: 'Restart the selected container (asks for a yes)',
    scope: 'containers',
    dangerous: true,
    hint: 'restart',
  },
  {
    id: 'container.logs',
    keys: ['L'],
    description: "Follow the selected container's log in the Logs view",
    scope: 'containers',
    dangerous: false,
    hint: 'logs',
  },
  {
    id: 'postgres.cancel',
    keys: ['C'],
    description: "Cancel the selected session's query (pg_cancel_backend, asks for a yes)",
    scope: 'postgres',
    dangerous: true,
    hint: 'cancel query',
  },
  {
    id: 'postgres.terminate',
    keys: ['X'],
    description: 'Terminate the selected session (pg_terminate_backend, asks for a yes)',
    scope: 'postgres',
    dangerous: true,
    hint: 'terminate',
  },
  {
    id: 'service.start',
    keys: ['U'],
    description: 'Start the selected service',
    scope: 'services',
    dangerous: true,
    hint: 'start',
  },
  {
    id: 'service.stop',
    keys: ['X'],
    description: 'Stop the selected service (asks for a yes)',
    scope: 'services',
    dangerous: true,
    hint: 'stop',
  },
  {
    id: 'service.restart',
    keys: ['R'],
    description: 'Restart the selected service, then its health checks (asks for a yes)',
    scope: 'services',
    dangerous: true,
    hint: 'restart',
  },
  {
    id: 'service.reload',
    keys: ['H'],
    description: 'Reload the selected service (systemctl reload, or its reload command; asks for a yes)',
    scope: 'services',
    dangerous: true,
    hint: 'reload',
  },
  {
    id: 'service.start-all',
    keys: ['+'],
    description: 'Start all services in the documented order, then a health check',
    scope: 'services',
    dangerous: true,
    hint: 'all up',
  },
  {
    id: 'service.stop-all',
    keys: ['-'],
    description: 'Stop all services in reverse order, then a status check',
    scope: 'services',
    dangerous: true,
    hint: 'all down',
  },
  {
    id: 'logs.pause',
    keys: [' '],
    description: 'Pause or resume following the log',
    scope: 'logs',
    dangerous: false,
    hint: 'pause',
  },
  {
    id: 'logs.filter',
    keys: ['/'],
    description: 'Filter log lines by substring or /regex/ (matches highlighted)',
    scope: 'logs',
    dangerous: false,
    hint: 'filter',
  },
  {
    id: 'logs.source',
    keys: ['o'],
    description: 'Choose the log source to follow',
    scope: 'logs',
    dangerous: false,
    hint: 'source',
  },
  {
    id: 'logs.history',
    keys: ['H'],
    description:
      'Search the history (rotated and .gz files too) for the filter, with errors per hour; again or Esc closes',
    scope: 'logs',
    dangerous: false,
    hint: 'history',
  },
  {
    id: 'logs.window',
    keys: ['w'],
    description: 'Access log: switch the access panel window (5m, 15m, 1h, 24h)',
    scope: 'logs',
    dangerous: false,
  },
  {
    id: 'arm',
    keys: ['A'],
    description: 'Arm actions for some minutes with a reason (read-only mode), or disarm',
    scope: 'global',
    dangerous: false,
  },
];

const MODES: readonly Scope[] = ['help', 'input', 'task', 'question', 'typing'];
const isMode = (s: Scope): boolean => MODES.includes(s);

/** The scopes a command is bound in, as a list. */
export function scopesOf(cmd: Command): readonly Scope[] {
  return typeof cmd.scope === 'string' ? [cmd.scope] : cmd.scope;
}

/** Whether two scopes are ever active at the same time (global overlaps every view, not the modes). */
export function scopesOverlap(a: Scope, b: Scope): boolean {
  if (a === b) return true;
  if (isMode(a) || isMode(b)) return false;
  return a === 'global' || b === 'global';
}

/** Whether `cmd` is bound when `view` is showing (mode null) or inside `mode`. */
export function isActive(cmd: Command, view: ViewId, mode: Mode | null): boolean {
  const scopes = scopesOf(cmd);
  if (mode !== null) return scopes.includes(mode);
  return scopes.includes('global') || scopes.includes(view);
}

/** The key → command table for one view or mode; dangerous commands are left out in read-only mode. */
export function bindings(
  view: ViewId,
  mode: Mode | null,
  readOnly: boolean,
  commands: readonly Command[] = COMMANDS,
): Map<string, Command> {
  const map = new Map<string, Command>();
  for (const cmd of commands) {
    if (!isActive(cmd, view, mode) || (readOnly && cmd.dangerous)) continue;
    for (const key of cmd.keys) if (!map.has(key)) map.set(key, cmd);
  }
  return map;
}

/** The command a key runs in this view or mode, if any. */
export function commandFor(
  key: string,
  view: ViewId,
  mode: Mode | null,
  readOnly: boolean,
  commands: readonly Command[] = COMMANDS,
): Command | undefined {
  return bindings(view, mode, readOnly, commands).get(key);
}

/** Commands the palette offers: every non-modal command (dangerous ones only when writable). */
export function paletteCommands(readOnly: boolean, commands: readonly Command[] = COMMANDS): Command[] {
  return commands.filter(
    (c) =>
      !scopesOf(c).every((s) => isMode(s)) &&
      !(readOnly && c.dangerous) &&
      c.id !== 'palette' &&
      c.id !== 'interrupt' &&
      c.id !== 'redraw',
  );
}

/** The first view a command is bound in, for running a view command from elsewhere via the palette. */
export function homeView(cmd: Command): ViewId | null {
  const scopes = scopesOf(cmd);
  if (scopes.includes('global')) return null;
  return (scopes.find((s) => (VIEWS as readonly string[]).includes(s)) as ViewId | undefined) ?? null;
}

/** The keys of a command as shown to the operator: "j/↓". */
export function keysLabel(cmd: Command): string {
  return cmd.keys.map(keyLabel).join('/');
}

export interface Hint {
  keys: string;
  label: string;
}

/** Footer hints for the current view or mode, view-specific ones first, from the `hint` labels. */
export function footerHints(
  view: ViewId,
  mode: Mode | null,
  readOnly: boolean,
  commands: readonly Command[] = COMMANDS,
): Hint[] {
  const active = commands.filter((c) => c.hint !== undefined && isActive(c, view, mode) && !(readOnly && c.dangerous));
  const ordered = [
    ...active.filter((c) => !scopesOf(c).includes('global')),
    ...active.filter((c) => scopesOf(c).includes('global')),
  ];
  const groups = new Map<string, string[]>();
  for (const c of ordered) {
    const label = c.hint!;
    const list = groups.get(label) ?? [];
    list.push(keyLabel(c.keys[0]!));
    groups.set(label, list);
  }
  return [...groups].map(([label, keys]) => ({
    label,
    keys: keys.every((k) => k.length === 1) ? keys.join('') : keys.join('/'),
  }));
}
