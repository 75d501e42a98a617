// The command handlers without rendering: each runs against a context the test builds, so what
// a key does is checked apart from how the console reads keys.
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/ui/commands/command-context.js';
import { HANDLERS } from '../../src/ui/commands/handlers.js';
import { createViewTargetBus, type ViewTargets } from '../../src/ui/commands/view-targets.js';
import type { CommandId } from '../../src/ui/keymap.js';
import { initialUiState } from '../../src/ui/view-state.js';

function context(over: Partial<CommandContext> & { targets?: ViewTargets } = {}) {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push(`${name}${args.length ? ` ${args.map((a) => JSON.stringify(a)).join(' ')}` : ''}`);
  const flow = {
    cancel: record('cancel'),
    close: record('close'),
    scroll: record('scroll'),
    yes: record('yes'),
    no: record('no'),
    submit: record('submit'),
    erase: record('erase'),
    propose: (title: string) => calls.push(`propose ${title}`),
  };
  const c: CommandContext = {
    view: 'containers',
    selected: 0,
    targets: {},
    ui: initialUiState('containers'),
    locked: false,
    actions: {
      flow,
      flash: record('flash'),
      store: { getState: () => ({ set: record('set') }) },
      prompts: { mode: () => null },
      arming: { toggle: record('toggle') },
    } as never,
    flow: flow as never,
    backups: { say: record('say'), verify: record('verify'), backup: record('backup') } as never,
    bus: createViewTargetBus(),
    reduce: record('reduce'),
    goTo: record('goTo'),
    run: record('run'),
    redraw: record('redraw'),
    ...over,
  };
  const run = (id: CommandId) => HANDLERS[id](c);
  return { c, calls, run };
}

describe('command handlers', () => {
  it('send the task panel commands to the one flow', () => {
    const { run, calls } = context();
    for (const id of [
      'task.cancel',
      'task.close',
      'question.yes',
      'question.no',
      'typing.accept',
      'typing.cancel',
      'typing.erase',
      'task.down',
    ] as const)
      run(id);
    expect(calls).toEqual(['cancel', 'close', 'yes', 'no', 'submit', 'no', 'erase', 'scroll 1 0']);
  });

  it('act on the row the view lends, and say so when there is none', () => {
    const container = { name: 'web' } as never;
    const some = context({ targets: { container: () => container } });
    some.run('container.stop');
    some.run('container.logs');
    expect(some.calls).toEqual([
      'propose Stop container',
      'set {"logSource":{"name":"container web","container":"web"}}',
      'goTo "logs"',
    ]);
    const none = context();
    none.run('container.restart');
    none.run('backups.verify');
    expect(none.calls).toEqual([
      'flash "no container selected" true',
      'say null',
      'say "no backup selected: the list is empty"',
    ]);
  });

  it('hand navigation to the reducer, and to the Logs view first while it shows', () => {
    const plain = context();
    plain.run('down');
    plain.run('view.backups');
    plain.run('arm');
    expect(plain.calls).toEqual(['reduce "down"', 'reduce "view.backups"', 'toggle']);
    const moves: string[] = [];
    const logs = {
      move: (by: number) => void moves.push(`move ${by}`),
      choose: () => false,
      closePicker: () => false,
    } as never;
    const inLogs = context({ view: 'logs', targets: { logs } });
    inLogs.run('up');
    inLogs.run('drill'); // no picker open: Enter is the reducer's
    expect(moves).toEqual(['move -1']);
    expect(inLogs.calls).toEqual(['reduce "drill"']);
  });
});
