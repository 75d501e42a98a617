import { describe, expect, it } from 'vitest';
import {
  bindings,
  commandFor,
  COMMANDS,
  footerHints,
  paletteCommands,
  scopesOf,
  scopesOverlap,
  VIEWS,
  viewKey,
  type Command,
} from '../../src/ui/keymap.js';
import { helpLines } from '../../src/ui/help-overlay.js';
import { fitHints } from '../../src/ui/footer.js';
import { HANDLERS } from '../../src/ui/commands/handlers.js';
import { hintFor, keysFor } from '../../src/ui/key-hints.js';

describe('the keymap table', () => {
  it('gives every command a description', () => {
    for (const c of COMMANDS) {
      expect(c.description.trim(), c.id).not.toBe('');
      expect(c.keys.length, c.id).toBeGreaterThan(0);
    }
  });

  it('gives every command a handler, and every handler a command', () => {
    const rows = new Set<string>(COMMANDS.map((c) => c.id));
    const handlers = new Set(Object.keys(HANDLERS));
    expect(
      [...rows].filter((id) => !handlers.has(id)),
      'commands without a handler',
    ).toEqual([]);
    expect(
      [...handlers].filter((id) => !rows.has(id)),
      'handlers without a command',
    ).toEqual([]);
    for (const [id, h] of Object.entries(HANDLERS)) expect(typeof h, id).toBe('function');
  });

  it('generates the panel hints from the rows', () => {
    expect(hintFor('task.cancel')).toBe('x cancel');
    expect(hintFor('question.yes')).toBe('y yes');
    expect(keysFor('task.cancel')).toBe('x/Ctrl-C');
    expect(keysFor('question.no', 2)).toBe('n/Esc');
    expect(keysFor('typing.accept')).toBe('Enter');
  });

  it('has unique command ids', () => {
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never binds one key to two commands in scopes that are active together (global vs view too)', () => {
    const clashes: string[] = [];
    for (let i = 0; i < COMMANDS.length; i++) {
      for (let j = i + 1; j < COMMANDS.length; j++) {
        const a = COMMANDS[i]!;
        const b = COMMANDS[j]!;
        const overlap = scopesOf(a).some((sa) => scopesOf(b).some((sb) => scopesOverlap(sa, sb)));
        if (!overlap) continue;
        for (const k of a.keys) if (b.keys.includes(k)) clashes.push(`${k}: ${a.id} / ${b.id}`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('binds vim keys and arrows, Tab and number keys, Enter, Esc, :, ?, q', () => {
    const key = (k: string) => commandFor(k, 'containers', null, false)?.id;
    expect([key('j'), key('down'), key('k'), key('up')]).toEqual(['down', 'down', 'up', 'up']);
    expect([key('h'), key('l'), key('g'), key('G')]).toEqual(['focus.prev', 'focus.next', 'top', 'bottom']);
    expect([key('tab'), key('shift-tab')]).toEqual(['view.next', 'view.prev']);
    expect(VIEWS.map((v) => key(viewKey(v)))).toEqual(VIEWS.map((v) => `view.${v}`));
    expect(VIEWS.slice(0, 10).map((v) => viewKey(v))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']);
    expect(viewKey('endpoints')).toBe('E'); // 1…9, then 0
    expect([key('enter'), key('esc'), key(':'), key('?'), key('q'), key('ctrl-c')]).toEqual([
      'drill',
      'back',
      'palette',
      'help',
      'quit',
      'interrupt',
    ]);
    expect([key('/'), key('s'), key('S')]).toEqual(['filter', 'sort', 'sort.reverse']);
  });

  it('binds view commands only in their views', () => {
    expect(commandFor('/', 'overview', null, false)).toBeUndefined();
    expect(commandFor('s', 'postgres', null, false)).toBeUndefined();
    expect(commandFor('s', 'host', null, false)?.id).toBe('sort');
  });

  it('lets typed text through in input mode, except its own keys and Ctrl-C', () => {
    expect(commandFor('q', 'overview', 'input', false)).toBeUndefined();
    expect(commandFor('j', 'overview', 'input', false)).toBeUndefined();
    expect(commandFor('esc', 'overview', 'input', false)?.id).toBe('input.cancel');
    expect(commandFor('ctrl-c', 'overview', 'input', false)?.id).toBe('interrupt');
  });

  it('leaves dangerous commands unbound in read-only mode', () => {
    const table: Command[] = [
      ...COMMANDS,
      { id: 'sort', keys: ['x'], description: 'Stop the selected container', scope: ['containers'], dangerous: true },
    ];
    expect(bindings('containers', null, false, table).get('x')?.description).toBe('Stop the selected container');
    expect(bindings('containers', null, true, table).has('x')).toBe(false);
    expect(paletteCommands(true, table).some((c) => c.keys.includes('x'))).toBe(false);
    expect(helpLines(true, table).some((l) => l.text.startsWith('Stop the selected'))).toBe(false);
    expect(helpLines(false, table).some((l) => l.text === 'Stop the selected container (changes state)')).toBe(true);
  });

  it('generates footer hints and help from the same table', () => {
    const hints = footerHints('containers', null, false);
    expect(hints[0]).toEqual({ keys: 's', label: 'sort' });
    expect(hints).toContainEqual({ keys: '↑↓', label: 'move' });
    expect(hints).toContainEqual({ keys: 'q', label: 'quit' });
    expect(fitHints(hints, 20)).toBe('s sort  / filter');
    const help = helpLines(false);
    for (const c of COMMANDS)
      expect(
        help.some((l) => l.text === c.description + (c.dangerous ? ' (changes state)' : '')),
        c.id,
      ).toBe(true);
  });
});
