// The handler of every command in the keymap, keyed by command id: the k9s key-action table's
// other half. The keymap row says which keys, where and how dangerous; this table says what
// happens. It is typed by the one CommandId union, and test/ui/keymap.test.ts fails when a row has
// no handler or a handler has no row.
import { homeView, type CommandId, VIEWS, type ViewId } from '../keymap.js';
import { paletteMatches } from '../view-state.js';
import {
  allServices,
  backupPlan,
  backupTask,
  containerAction,
  containerLogs,
  pgSessionAction,
  logsFirst,
  serviceAction,
} from './action-handlers.js';
import type { CommandContext, Handler } from './command-context.js';

/** Navigation, overlays and view switching: the console's own reducer. */
const nav =
  (id: CommandId): Handler =>
  (c) =>
    c.reduce(id);

/** A text-entry command: the open prompt's (arming, the Logs filter), else the palette's or filter's. */
const input =
  (id: 'input.accept' | 'input.cancel' | 'input.erase', prompt: 'submit' | 'cancel' | 'erase'): Handler =>
  (c) => {
    const prompts = c.actions?.prompts;
    if (prompts?.mode()) return prompts[prompt]();
    if (id === 'input.accept' && c.ui.mode === 'palette') return acceptPalette(c);
    c.reduce(id);
  };

/** Enter in the palette: a navigation command goes to the reducer; any other runs its handler in its view. */
function acceptPalette(c: CommandContext): void {
  const chosen = paletteMatches(c.ui.paletteQuery, c.locked)[c.ui.paletteSelected];
  if (!chosen || NAVIGATION.has(chosen.id)) return c.reduce('input.accept');
  c.reduce('input.cancel');
  const home = homeView(chosen);
  if (home === null || home === c.view) return HANDLERS[chosen.id](c);
  // Its view is not mounted yet: it runs once the view has lent its targets.
  c.goTo(home);
  c.run(chosen.id, home);
}

const viewHandlers = Object.fromEntries(VIEWS.map((v) => [`view.${v}`, nav(`view.${v}`)])) as Record<
  `view.${ViewId}`,
  Handler
>;

/** Every command's handler. */
export const HANDLERS: Record<CommandId, Handler> = {
  quit: nav('quit'),
  interrupt: nav('interrupt'),
  redraw: (c) => c.redraw(),
  help: nav('help'),
  palette: nav('palette'),
  'view.next': nav('view.next'),
  'view.prev': nav('view.prev'),
  ...viewHandlers,
  back: logsFirst('back'),
  drill: logsFirst('drill'),
  up: logsFirst('up'),
  down: logsFirst('down'),
  top: logsFirst('top'),
  bottom: logsFirst('bottom'),
  'page.up': logsFirst('page.up'),
  'page.down': logsFirst('page.down'),
  'focus.prev': nav('focus.prev'),
  'focus.next': nav('focus.next'),
  sort: nav('sort'),
  'sort.reverse': nav('sort.reverse'),
  filter: nav('filter'),
  'help.close': nav('help.close'),
  'help.up': nav('help.up'),
  'help.down': nav('help.down'),
  'input.accept': input('input.accept', 'submit'),
  'input.cancel': input('input.cancel', 'cancel'),
  'input.erase': input('input.erase', 'erase'),
  'input.up': nav('input.up'),
  'input.down': nav('input.down'),
  'backups.verify': backupTask('verify'),
  'backups.drill': backupTask('drill'),
  'backups.restore': backupTask('restore'),
  'backups.restore-files': backupTask('restoreFiles'),
  'backups.backup': backupPlan('backup'),
  'backups.prune': backupPlan('prune'),
  'task.cancel': (c) => c.flow?.cancel(),
  'task.close': (c) => c.flow?.close(),
  'task.up': (c) => c.flow?.scroll(-1, c.bus.panelScrollMax),
  'task.down': (c) => c.flow?.scroll(1, c.bus.panelScrollMax),
  'question.yes': (c) => c.flow?.yes(),
  'question.no': (c) => c.flow?.no(),
  'typing.accept': (c) => c.flow?.submit(),
  'typing.cancel': (c) => c.flow?.no(),
  'typing.erase': (c) => c.flow?.erase(),
  'container.start': containerAction('start'),
  'container.stop': containerAction('stop'),
  'container.restart': containerAction('restart'),
  'container.logs': containerLogs,
  'postgres.cancel': pgSessionAction('cancel'),
  'postgres.terminate': pgSessionAction('terminate'),
  'service.start': serviceAction('start'),
  'service.stop': serviceAction('stop'),
  'service.restart': serviceAction('restart'),
  'service.reload': serviceAction('reload'),
  'service.start-all': allServices('start'),
  'service.stop-all': allServices('stop'),
  'logs.pause': (c) => c.targets.logs?.pause(),
  'logs.filter': (c) => c.targets.logs?.filter(),
  'logs.source': (c) => c.targets.logs?.source(),
  'logs.history': (c) => c.targets.logs?.history(),
  'logs.window': (c) => c.targets.logs?.window(),
  arm: (c) => c.actions?.arming.toggle(),
};

/** Commands the navigation reducer runs by itself (the palette hands them to it whole). */
const NAVIGATION = new Set<CommandId>([
  'quit',
  'help',
  'view.next',
  'view.prev',
  ...VIEWS.map((v) => `view.${v}` as const),
  'back',
  'drill',
  'up',
  'down',
  'top',
  'bottom',
  'page.up',
  'page.down',
  'focus.prev',
  'focus.next',
  'sort',
  'sort.reverse',
  'filter',
]);
