import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { holdsFor } from '../helpers/wait.js';
import { hostMetrics } from '../../src/probes/host.js';
import { redisMetrics } from '../../src/probes/redis.js';
import { filledStore, hostReading, redisReading, T0 } from './fixtures.js';
import { renderConsole } from './harness.js';
import { commandKey, keyBytes } from './keys.js';

afterEach(() => cleanup());

describe('keyboard navigation', () => {
  it('switches views with number keys, Tab and Shift-Tab, and goes back with Esc', async () => {
    const ui = renderConsole(filledStore());
    await ui.waitFor('[1 Overview]');
    await ui.command('view.postgres');
    await ui.waitFor('[4 PG]');
    await ui.key('view.next', 'tab');
    await ui.waitFor('[5 Redis]');
    await ui.key('view.prev', 'shift-tab');
    await ui.command('view.prev');
    await ui.waitFor('[3 Docker]');
    await ui.key('back', 'esc');
    await ui.waitFor('[1 Overview]');
  });

  it('moves panel focus with h/l and arrows and drills in with Enter', async () => {
    const ui = renderConsole(filledStore());
    await ui.waitFor('╔'); // the focused panel has a double border
    // l and → move the focus; ↓ moves a selection, not the focus.
    await ui.key('focus.next', 'l');
    await ui.key('down', 'down');
    await ui.key('focus.next', 'right');
    await ui.key('drill', 'enter');
    await ui.waitFor('[4 PG]');
    await ui.command('back');
    await ui.waitFor('[1 Overview]');
  });

  it('moves the selection with j/k, G and g', async () => {
    const ui = renderConsole(filledStore(), { view: 'containers' });
    await ui.waitFor('› itsm-backend');
    await ui.key('down', 'j');
    await ui.waitFor('› itsm-nginx');
    await ui.key('bottom', 'G');
    await ui.waitFor('› itsm-worker');
    await ui.key('up', 'k');
    await ui.key('top', 'g');
    await ui.waitFor('› itsm-backend');
  });

  it('opens the help overlay with every binding, and closes it', async () => {
    const ui = renderConsole(filledStore(), { rows: 40, columns: 100 });
    await ui.command('help');
    const f = await ui.waitFor('Everywhere');
    expect(f).toContain('Select the next row');
    expect(f).toMatch(/Esc close/);
    await ui.command('help.close');
    await ui.waitFor((x) => !x.includes('Everywhere'), 'help closed');
  });

  it('runs a command from the palette by fuzzy search', async () => {
    const ui = renderConsole(filledStore());
    await ui.command('palette');
    await ui.waitFor(': ▏');
    await ui.press('t', 'i', 'm', 'e');
    const f = await ui.waitFor(': time▏');
    expect(f).toMatch(/› 6\s+Show the Timeline view/);
    await ui.command('input.accept');
    await ui.waitFor('[6 Timeline]');
  });

  it('takes a chunk of several keys (fast typing over SSH) one by one', async () => {
    const ui = renderConsole(filledStore());
    await ui.press(`${commandKey('palette')}redis`);
    await ui.waitFor(': redis▏');
    await ui.command('input.accept');
    await ui.waitFor('[5 Redis]');
  });

  it('quits with q and with Ctrl-C (also while typing), and redraws with Ctrl-L', async () => {
    const ui = renderConsole(filledStore());
    await ui.waitFor('Overview');
    await ui.command('redraw');
    await ui.waitUntil(() => ui.redraws === 1, 'redraw');
    await ui.key('quit', 'q');
    await ui.waitUntil(() => ui.quits === 1, 'quit on q');
    const typing = renderConsole(filledStore());
    await typing.command('palette');
    await typing.press(commandKey('quit'));
    await typing.waitFor(': q▏');
    expect(typing.quits).toBe(0);
    await typing.key('interrupt', 'ctrl-c', 'input');
    await typing.waitUntil(() => typing.quits === 1, 'quit on Ctrl-C');
  });
});

describe('rendering only what changed', () => {
  it('draws no new frame when a slice the view does not show changes', async () => {
    const store = filledStore();
    const ui = renderConsole(store, { view: 'redis' });
    await ui.waitFor('Keyspace');
    const frames = () => ui.frameCount();
    const before = frames();
    // Same host values again: new objects in the store, but nothing this view shows changed.
    const h = hostReading(91);
    store.getState().applyResult('host', { ok: true, at: T0, latencyMs: 4, reading: h, metrics: hostMetrics(h) }, T0);
    // Nothing may draw: a render would follow within a tick or two, so 150 ms is many times that.
    await holdsFor(150, () => frames() === before, 'no new frame');
    const r = { ...redisReading(), clients: { ...redisReading().clients, connected: 77 } };
    store.getState().applyResult('redis', { ok: true, at: T0, latencyMs: 4, reading: r, metrics: redisMetrics(r) }, T0);
    await ui.waitFor('77 / 10000');
    expect(frames()).toBeGreaterThan(before);
  });
});

describe('key chunks', () => {
  it('runs a palette command typed with Enter in one chunk', async () => {
    const ui = renderConsole(filledStore());
    await ui.waitFor('Overview');
    // One chunk: the palette key, the query and Enter, as a fast typist over SSH sends them.
    await ui.press(`${commandKey('palette')}timel${keyBytes(commandKey('input.accept', 'input'))}`);
    await ui.waitFor('[6 Timeline]');
  });
});
