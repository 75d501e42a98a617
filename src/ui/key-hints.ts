// Key hints for panels and lines, generated from the keymap rows, so a hint can never name a key
// that does not do what it says: keysFor('question.no', 2) → "n/Esc", hintFor('task.cancel') →
// "x cancel".
import { COMMANDS, type Command, type CommandId } from './keymap.js';
import { keyLabel } from './key-names.js';

const BY_ID = new Map<CommandId, Command>(COMMANDS.map((c) => [c.id, c]));

/** The keymap row of `id` (every id has one: the table is typed by the same union). */
export function commandRow(id: CommandId): Command {
  const row = BY_ID.get(id);
  if (!row) throw new Error(`no keymap row for ${id}`);
  return row;
}

/** The first `count` keys of a command as shown to the operator: "x/Ctrl-C". */
export function keysFor(id: CommandId, count = Infinity): string {
  return commandRow(id).keys.slice(0, count).map(keyLabel).join('/');
}

/** A footer-style hint for one command: its first key and its short label ("x cancel"). */
export function hintFor(id: CommandId): string {
  const row = commandRow(id);
  return `${keyLabel(row.keys[0]!)} ${row.hint ?? row.description}`;
}
