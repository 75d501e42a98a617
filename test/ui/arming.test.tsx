// Read-only mode and arming in the console: the stop key is unbound and absent from the footer
// and help while read-only; `A` arms with minutes and a reason (both in the audit trail), the
// dangerous keys come back with an ARMED countdown, and go away again when the arming lapses.
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseMinutes } from '../../src/app/console/arming.js';
import { remaining as remainingText } from '../../src/present/format.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { filledStore, T0 } from './fixtures.js';
import { renderConsole } from './harness.js';
import { commandKey, keyBytes } from './keys.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});

describe('arming helpers', () => {
  it('parses minutes and words the time left', () => {
    expect(parseMinutes('')).toBe(15);
    expect(parseMinutes('12')).toBe(12);
    expect(parseMinutes('30m')).toBe(30);
    expect(parseMinutes('0.5')).toBe(0.5);
    expect(parseMinutes('abc')).toMatch(/not a number/);
    expect(parseMinutes('500')).toMatch(/at most 120/);
    expect(remainingText(12 * 60_000)).toBe('12m');
    expect(remainingText(11 * 60_000 + 1)).toBe('12m');
    expect(remainingText(45_000)).toBe('45s');
  });
});

describe('read-only console', () => {
  it('hides and unbinds the stop key; arming brings it back until the arming lapses', async () => {
    fx = actionFixture({ readOnly: true, at: T0 });
    const ui = renderConsole(filledStore({ readOnly: true }), {
      view: 'containers',
      actions: fx.controller,
      readOnly: true,
    });
    let f = plain(await ui.waitFor('READ-ONLY'));
    expect(f).toContain('A arms');
    expect(f).toContain('› itsm-backend');
    expect(f).not.toContain('X stop');
    // The writable console's stop key does nothing here; the key after it still navigates.
    await ui.press(keyBytes(commandKey('container.stop')));
    await ui.command('down');
    await ui.waitFor('› itsm-nginx'); // the key after X still navigates: X did nothing
    expect(plain(ui.frame())).not.toMatch(/Stop container|needs a yes/);
    await ui.command('help');
    f = plain(await ui.waitFor('Everywhere'));
    await ui.command('help.close');
    const { helpLines } = await import('../../src/ui/help-overlay.js');
    expect(helpLines(true).some((l) => l.text.startsWith('Stop the selected container'))).toBe(false);

    // Arm for 12 minutes with a reason.
    await ui.command('arm');
    await ui.waitFor('Minutes until read-only again');
    await ui.press('1', '2');
    await ui.command('input.accept');
    await ui.waitFor('Reason');
    await ui.press('n', 'o');
    await ui.command('input.accept');
    f = plain(await ui.waitFor('arming needs a reason'));
    await ui.command('input.erase', 'input.erase');
    await ui.press(...'INC-42 restart worker');
    await ui.command('input.accept');
    f = plain(await ui.waitFor('ARMED 12m'));
    expect(f).not.toContain('READ-ONLY');
    await ui.command('up'); // clears the flash: the footer is back
    f = plain(await ui.waitFor('X stop'));
    expect(f).toContain('R restart');
    const armed = (await fx.audit()).find((e) => e.event === 'armed');
    expect(armed).toMatchObject({ action: 'console.arm', reason: 'INC-42 restart worker' });

    // Eleven minutes later: one minute left.
    fx.clock.advance(11 * 60_000);
    // The header counts down from the UI clock; the guard lapses on its own clock.
    fx.clock.advance(60_001);
    f = plain(await ui.waitFor((x) => plain(x).includes('READ-ONLY') && plain(x).includes('arming lapsed')));
    await ui.command('up');
    f = plain(await ui.waitFor((x) => plain(x).includes('L logs')));
    expect(f).not.toContain('X stop');
    await ui.press(keyBytes(commandKey('container.stop')));
    await ui.command('help');
    await ui.waitFor('Everywhere');
    expect(plain(ui.frame())).not.toMatch(/Stop container|needs a yes/);
    // The lapse is written to the audit trail in the background (the guard's state is
    // synchronous): wait for the line rather than racing the append on a busy machine.
    const trail = fx;
    await vi.waitFor(async () => expect((await trail.audit()).map((e) => e.event)).toEqual(['armed', 'disarmed']), {
      timeout: 5000,
      interval: 20,
    });
    expect((await fx.audit())[1]).toMatchObject({ reason: 'arming expired' });
  });

  it('disarms with A while armed', async () => {
    fx = actionFixture({ readOnly: true, at: T0 });
    const ui = renderConsole(filledStore({ readOnly: true }), {
      view: 'containers',
      actions: fx.controller,
      readOnly: true,
    });
    await ui.waitFor('READ-ONLY');
    await ui.command('arm', 'input.accept'); // the default: 15 minutes
    await ui.waitFor('Reason');
    await ui.press(...'maintenance window');
    await ui.command('input.accept');
    await ui.waitFor('ARMED 15m');
    await ui.command('arm');
    await ui.waitFor((x) => plain(x).includes('disarmed: read-only again') && plain(x).includes('READ-ONLY'));
    expect((await fx.audit()).map((e) => `${e.event}:${e.reason ?? ''}`)).toEqual([
      'armed:maintenance window',
      'disarmed:disarmed by the operator',
    ]);
  });
});
