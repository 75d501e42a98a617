// The Backups view's commands: the console resolves every key in the one keymap table (the
// view's commands on the table, its panel's modal commands while it reports a mode) and hands
// them to the view here. Navigation and view switching stay with the console frame.
import { useRef, type MutableRefObject } from 'react';
import type { CatalogEntry } from '../../backup/catalog.js';
import type { CommandId } from '../keymap.js';
import { useViewCommands } from '../view-commands.js';
import type { BackupsController } from './controller.js';

export interface BackupsKeyState {
  /** The selected backup, if any. */
  entry: CatalogEntry | undefined;
  /** How far the open panel can scroll (written by the panel as it draws). */
  scrollMax: MutableRefObject<number>;
  /** Starts the take-a-backup and prune plans (the shared plan dialog when the console has one). */
  backup(): void;
  prune(): void;
}

/** Runs one command of the Backups view or its panel; false when it is not one of them. */
export function runBackupsCommand(ctl: BackupsController, id: CommandId, s: BackupsKeyState): boolean {
  const e = s.entry;
  if (id.startsWith('backups.')) ctl.say(null);
  if ((id === 'backups.verify' || id === 'backups.drill' || id === 'backups.restore') && !e) {
    ctl.say('no backup selected: the list is empty');
    return true;
  }
  switch (id) {
    case 'backups.verify':
      ctl.verify(e!);
      return true;
    case 'backups.drill':
      ctl.drill(e!);
      return true;
    case 'backups.restore':
      ctl.restore(e!);
      return true;
    case 'backups.backup':
      s.backup();
      return true;
    case 'backups.prune':
      s.prune();
      return true;
    case 'question.yes':
      ctl.yes();
      return true;
    case 'question.no':
      ctl.no();
      return true;
    case 'typing.accept':
      ctl.submit();
      return true;
    case 'typing.cancel':
      ctl.no();
      return true;
    case 'typing.erase':
      ctl.erase();
      return true;
    case 'task.cancel':
      ctl.cancel();
      return true;
    case 'task.close':
      ctl.close();
      return true;
    case 'task.up':
    case 'task.down':
      ctl.scroll(id === 'task.down' ? 1 : -1, s.scrollMax.current);
      return true;
    default:
      return false;
  }
}

/** Takes the view's commands (and typed text at the drop prompt) from the console's command bus. */
export function useBackupsKeys(ctl: BackupsController, state: BackupsKeyState): void {
  const ref = useRef(state);
  ref.current = state;
  useViewCommands(
    'backups',
    (id) => runBackupsCommand(ctl, id, ref.current),
    (text) => ctl.type(text),
  );
}
