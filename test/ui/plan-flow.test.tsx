// The one task flow with plans built in the test: a destructive plan needs the target's
// name typed (a wrong name is refused in words), Ctrl-C cancels a running plan at its
// cancellable step, Esc puts a running plan away and its result is flashed when it ends.
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../src/plan/plan.js';
import { sleep } from '../../src/plan/sleep.js';
import { createOpsStore } from '../../src/state/store.js';
import { progressLines } from '../../src/ui/task/plan-content.js';
import { recoveryHint, statusLabel } from '../../src/ui/task/plan-text.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { filledStore } from './fixtures.js';
import { renderConsole } from './harness.js';
import { boundKey, commandKey, keyBytes } from './keys.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});

const store = () => createOpsStore({ rules, origins: { host: 'configured' } });

function step(id: string, run: Step['run'], cancellable = false): Step {
  return { id, title: id, describe: () => ({ kind: 'sql', text: `-- ${id}` }), run, cancellable };
}

function plan(danger: Plan['danger'], steps: Step[], target = 'itsm_db'): Plan {
  return {
    action: 'db.drop',
    target,
    danger,
    steps,
    blastRadius: async () => ['12 client connections: 12× itsm-backend'],
  };
}

describe('state words', () => {
  it('gives every step state a symbol and a word, and typed errors a recovery line', () => {
    expect(
      ['pending', 'running', 'done', 'failed', 'cancelled', 'skipped'].map((s) => statusLabel(s as never)),
    ).toEqual(['· pending', '▶ running', '✓ done', '✗ FAILED', '⊘ cancelled', '– skipped']);
    expect(recoveryHint('already_stopped')).toMatch(/already stopped/);
    expect(recoveryHint('weird')).toBe('');
    const rows = progressLines({
      action: 'a',
      target: 't',
      startedAt: 0,
      warnings: [],
      steps: [
        {
          id: 's',
          title: 'dump',
          description: { kind: 'argv', text: 'pg_dump itsm' },
          status: 'running',
          output: ['line 1', 'line 2'],
        },
      ],
    });
    expect(rows.map((r) => `${r.lead?.text ?? ''}${r.text}`)).toEqual([
      '▶ running   1. dump',
      '            argv: pg_dump itsm',
      '            │ line 1',
      '            │ line 2',
    ]);
  });
});

describe('plan dialog', () => {
  it('asks for the typed name of a destructive target, refuses a wrong one, then runs', async () => {
    fx = actionFixture();
    const ran: string[] = [];
    const ui = renderConsole(store(), { actions: fx.controller, columns: 100, rows: 30 });
    await ui.waitFor('[1 Overview]');
    fx.controller.flow.propose('Drop database', async () =>
      plan('destructive', [step('drop', async () => void ran.push('drop'))]),
    );
    let f = plain(await ui.waitFor((x) => plain(x).includes('Type the name "itsm_db"'), 'the typed confirmation'));
    expect(f).toContain('12 client connections');
    expect(f).toContain('sql: -- drop');
    expect(f).toContain('DESTRUCTIVE');
    await ui.press(...'itsm');
    await ui.command('typing.accept');
    await ui.waitFor((x) => plain(x).includes('"itsm" is not the name'), 'a wrong name refused');
    expect(ran).toEqual([]);
    await ui.press(commandKey('quit')); // typed, not quit
    await ui.command('typing.erase');
    await ui.press(...'_db');
    await ui.command('typing.accept');
    f = plain(await ui.waitFor((x) => plain(x).includes('Esc closes') && plain(x).includes('SUCCEEDED'), 'the run'));
    expect(ran).toEqual(['drop']);
    expect(ui.quits).toBe(0);
    await ui.command('task.close');
    await ui.waitFor((x) => !plain(x).includes('db.drop'), 'the dialog closed');
  });

  it('cancels a running plan with Ctrl-C at its cancellable step and says what was not done', async () => {
    fx = actionFixture();
    const ui = renderConsole(store(), { actions: fx.controller, columns: 100, rows: 30 });
    await ui.waitFor('[1 Overview]');
    fx.controller.flow.propose('Long job', async () =>
      plan('confirm', [
        step('first', async () => 'quick'),
        step(
          'wait',
          async (ctx) => {
            ctx.output('waiting for the replica');
            await sleep(30_000, ctx.signal);
          },
          true,
        ),
        step('last', async () => undefined),
      ]),
    );
    await ui.waitFor('Run db.drop');
    await ui.command('question.yes');
    await ui.waitFor((x) => plain(x).includes('│ waiting for the replica'), 'the running step with its output');
    await ui.press(keyBytes(boundKey('task.cancel', 'ctrl-c', 'task')));
    const f = plain(await ui.waitFor((x) => plain(x).includes('CANCELLED'), 'the cancel'));
    expect(f).toMatch(/⊘ cancelled\s+2\. wait/);
    expect(f).toMatch(/– skipped\s+3\. last/);
    expect(f).toContain('Not done: last.');
    expect(ui.quits).toBe(0);
    expect((await fx.audit()).map((e) => e.event)).toEqual(['confirmed', 'cancelled']);
  });

  it('puts a running plan away with Esc and flashes its result when it ends', async () => {
    fx = actionFixture();
    const ui = renderConsole(store(), { actions: fx.controller, columns: 100, rows: 30 });
    await ui.waitFor('[1 Overview]');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fx.controller.flow.propose('Slow job', async () => plan('confirm', [step('slow', () => gate)]));
    await ui.waitFor('Run db.drop');
    await ui.command('question.yes');
    await ui.waitFor((x) => plain(x).includes('▶ running'));
    await ui.command('task.close');
    await ui.waitFor((x) => plain(x).includes('goes on in the background'), 'put away');
    await ui.command('view.host');
    await ui.waitFor('[2 Host]');
    release();
    await ui.waitFor((x) => plain(x).includes('db.drop itsm_db: succeeded'), 'the result flashed');
  });

  it('runs an action command from the palette in its view, and says in words why it cannot run', async () => {
    fx = actionFixture(); // no Docker engine configured
    const ui = renderConsole(filledStore(), { actions: fx.controller, columns: 100, rows: 30 });
    await ui.waitFor('[1 Overview]');
    await ui.command('palette');
    await ui.press(...'stop the selected container');
    await ui.waitFor('Stop the selected container');
    await ui.command('input.accept');
    const f = plain(await ui.waitFor((x) => plain(x).includes('NOT RUN'), 'the dialog with the reason'));
    expect(f).toContain('[3 Docker]');
    expect(f).toContain('could not prepare the action: Docker is not configured');
    await ui.command('task.close');
    await ui.waitFor((x) => plain(x).includes('› itsm-backend'), 'back on the Containers view');
  });
});
