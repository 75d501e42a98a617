// The Services and Audit views over a real action layer: services defined by argv commands that
// create and remove marker files, started all in the documented order through the dialog,
// stopped one by one, a failure in the middle stopping the sequence, a declined plan recorded as
// refused — and the audit trail showing all of it.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { createOpsStore } from '../../src/state/store.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});

type Svc = NonNullable<ConfigInput['services']>[number];
const marker = (dir: string, name: string) => path.join(dir, `${name}.up`);
function markerService(dir: string, name: string, group: 'database' | 'queue' | 'application', failStart = false): Svc {
  return {
    name,
    group,
    start: failStart ? ['sh', '-c', `echo "${name}: cannot bind :8080" >&2; exit 1`] : ['touch', marker(dir, name)],
    stop: ['rm', '-f', marker(dir, name)],
    status: ['test', '-e', marker(dir, name)],
    timeout: '10s',
  };
}
const store = () => createOpsStore({ rules, origins: { host: 'configured' } });

describe('Services view', () => {
  it('starts all in the documented order, stops one, and the audit view shows each step of it', async () => {
    // Listed out of order on purpose: the plan puts the database first, the application last.
    fx = actionFixture({
      services: (dir) => [
        markerService(dir, 'app', 'application'),
        markerService(dir, 'mq', 'queue'),
        markerService(dir, 'db', 'database'),
      ],
    });
    const d = fx.dir;
    const ui = renderConsole(store(), { view: 'services', actions: fx.controller, columns: 100, rows: 32 });
    let f = plain(await ui.waitFor((x) => plain(x).includes('0 running'), 'the statuses'));
    expect(f).toMatch(/db\s+database\s+■ stopped/);
    expect(f.indexOf('› db')).toBeLessThan(f.indexOf('mq')); // start order: database, queue, application
    expect(f.indexOf('mq')).toBeLessThan(f.indexOf('app '));

    await ui.command('service.start-all');
    f = plain(
      await ui.waitFor(
        (x) => plain(x).includes('start 3 services in this order: db → mq → app'),
        'the plan and who is affected',
      ),
    );
    expect(f).toContain(`touch ${marker(d, 'db')}`);
    expect(f).toContain('Run service.start-all on all services? [y/N]');
    await ui.command('question.yes');
    f = plain(await ui.waitFor((x) => plain(x).includes('✓ SUCCEEDED'), 'the run to finish'));
    expect(f).toMatch(/✓ done\s+1\. start db/);
    expect(f).toMatch(/✓ done\s+4\. health check/);
    expect(f).toContain('Succeeded: all 4 steps done.');
    for (const n of ['db', 'mq', 'app']) expect(existsSync(marker(d, n))).toBe(true);
    await ui.command('task.close');
    await ui.waitFor((x) => plain(x).includes('3 running'), 'the statuses read again after the action');

    // Stop the application alone (the last row).
    await ui.command('bottom', 'service.stop');
    await ui.waitFor((x) => plain(x).includes('Run service.stop on app? [y/N]'), 'the stop question');
    await ui.command('question.yes');
    await ui.waitFor((x) => plain(x).includes('✓ SUCCEEDED'));
    expect(existsSync(marker(d, 'app'))).toBe(false);
    await ui.command('task.close');
    await ui.waitFor((x) => plain(x).includes('2 running'));

    // Declined: nothing runs, the refusal is on record.
    await ui.command('service.stop-all');
    await ui.waitFor('Run service.stop-all');
    await ui.command('question.no');
    await ui.waitFor((x) => plain(x).includes('not run (declined by the operator)'));
    expect(existsSync(marker(d, 'db'))).toBe(true);

    await ui.command('up', 'view.audit');
    f = plain(
      await ui.waitFor(
        (x) => plain(x).includes('⊘ refused') && plain(x).includes('service.stop-all'),
        'the audit view',
      ),
    );
    expect(f).toMatch(/✓ succeeded\s+service\.start-all\s+all services/);
    expect(f).toMatch(/✓ succeeded\s+service\.stop\s+app/);
    await ui.command('drill'); // details of the newest entry
    f = plain(await ui.waitFor((x) => plain(x).includes('reason: declined by the operator'), 'the entry details'));
    expect(f).toMatch(/1\. stop app: unless already stopped: rm -f .*\n.*2\. stop mq/); // reverse order
    const events = (await fx.audit()).map((e) => `${e.event} ${e.action}`);
    expect(events).toEqual([
      'confirmed service.start-all',
      'succeeded service.start-all',
      'confirmed service.stop',
      'succeeded service.stop',
      'refused service.stop-all',
    ]);
  });

  it('restarts the selected service from the view, ends with its health check, shows its status output', async () => {
    fx = actionFixture({
      services: (dir) => [
        {
          ...markerService(dir, 'app', 'application'),
          // The manual's `run_production.sh status`: PID, workers, memory.
          status: [
            'sh',
            '-c',
            'test -e "$1" && echo "PID: 4242" && echo "workers: 2" && echo "memory: 12 MB"',
            'sh',
            marker(dir, 'app'),
          ],
          checks: ['app-up'],
        },
      ],
      checks: (dir) => [{ name: 'app-up', command: ['test', '-e', marker(dir, 'app')] }],
    });
    writeFileSync(marker(fx.dir, 'app'), '');
    const ui = renderConsole(store(), { view: 'services', actions: fx.controller, columns: 110, rows: 32 });
    let f = plain(await ui.waitFor((x) => plain(x).includes('1 running'), 'the statuses'));
    expect(f).toContain('status of app (sh -c');
    expect(f).toContain('PID: 4242');
    expect(f).toContain('workers: 2');
    expect(f).toContain('R restarts');

    await ui.command('service.restart');
    f = plain(await ui.waitFor((x) => plain(x).includes('Run service.restart on app? [y/N]'), 'the restart question'));
    expect(f).toContain('restart app');
    expect(f).toContain('then the checks app-up');
    await ui.command('question.yes');
    f = plain(await ui.waitFor((x) => plain(x).includes('✓ SUCCEEDED'), 'the restart to finish'));
    expect(f).toMatch(/✓ done\s+1\. restart app/);
    expect(f).toMatch(/✓ done\s+2\. health check/);
    expect(f).toContain('1 check passed');
    await ui.command('task.close');

    // A reload the service has none of is refused in words.
    await ui.command('service.reload');
    await ui.waitFor((x) => plain(x).includes('service app has no reload command configured'), 'the refusal');
    expect((await fx.audit()).map((e) => `${e.event} ${e.action}`)).toEqual([
      'confirmed service.restart',
      'succeeded service.restart',
    ]);
  });

  it('stops "start all" at the failed step and says what runs now', async () => {
    fx = actionFixture({
      services: (dir) => [
        markerService(dir, 'db', 'database'),
        markerService(dir, 'mq', 'queue', true),
        markerService(dir, 'app', 'application'),
      ],
    });
    const d = fx.dir;
    const ui = renderConsole(store(), { view: 'services', actions: fx.controller, columns: 100, rows: 32 });
    await ui.waitFor((x) => plain(x).includes('0 running'));
    await ui.command('service.start-all');
    await ui.waitFor('Run service.start-all');
    await ui.command('question.yes');
    const f = plain(
      await ui.waitFor(
        (x) => plain(x).includes('✗ FAILED') && plain(x).includes('Now:'),
        'the failure and the state now',
      ),
    );
    expect(f).toMatch(/✓ done\s+1\. start db/);
    expect(f).toMatch(/✗ FAILED\s+2\. start mq/);
    expect(f).toMatch(/– skipped\s+3\. start app/);
    expect(f).toContain('cannot bind :8080');
    expect(f).toContain('Not done: start app; health check.');
    expect(f).toContain('Now: running db; stopped mq, app.');
    expect(existsSync(marker(d, 'app'))).toBe(false);
  });
});
