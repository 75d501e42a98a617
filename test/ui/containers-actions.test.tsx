// A real container on the sandbox Docker engine stopped from the Containers view through the
// dialog: the plan's exact API call and the blast radius first, a yes, per-step progress, the
// table showing "exited" on the poll the action asked for; then a typed error in words, a start
// without a question, and the audit trail.
import Docker from 'dockerode';
import { DockerEngine } from '../../src/docker/index.js';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { DockerProbe } from '../../src/probes/docker.js';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { startScheduler, type Scheduler } from '../../src/state/scheduler.js';
import { createOpsStore } from '../../src/state/store.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

describe.skipIf(unavailable('docker'))('Containers view actions on a real engine', () => {
  let docker: Docker;
  let socketPath: string;
  const name = uniqueName('opsdeck_ui_web');
  let fx: ActionFixture | null = null;
  let scheduler: Scheduler | null = null;

  beforeAll(async () => {
    const svc = dockerService();
    socketPath = svc.socketPath;
    docker = new Docker({ socketPath });
    // A shell that exits on TERM at once (PID 1 ignores signals it has no handler for).
    await runSandboxContainer(new DockerEngine({ socketPath }), svc.image, {
      name,
      cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
    });
  });
  afterEach(async () => {
    cleanup();
    await scheduler?.stop();
    scheduler = null;
    await fx?.dispose();
    fx = null;
  });
  afterAll(async () => {
    await docker
      ?.getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('stops the selected container through the dialog, and the next poll shows it exited', async () => {
    const store = createOpsStore({ rules, origins: { docker: 'configured' } });
    // A long interval: only the refresh the action asks for can show the new state in time.
    const probe = new DockerProbe({ socketPath, interval: 600_000, statsInterval: 600_000, stopTimeout: 2000 }, 5000);
    const sched = startScheduler([probe], store, { timeout: 5000 });
    scheduler = sched;
    fx = actionFixture({ docker: { socketPath }, refreshNow: () => sched.refreshNow() });
    const ui = renderConsole(store, {
      view: 'containers',
      actions: fx.controller,
      columns: 100,
      rows: 30,
      waitMs: 15_000,
    });
    await ui.waitFor((x) => plain(x).includes(name), 'the container in the table');
    await ui.command('filter');
    await ui.press(...name);
    await ui.command('input.accept');
    let f = plain(
      await ui.waitFor((x) => new RegExp(`› ${name}\\s+running`).test(plain(x)), 'the container selected, running'),
    );

    await ui.command('container.stop');
    f = plain(
      await ui.waitFor((x) => plain(x).includes('no other container depends on it'), 'the plan and its blast radius'),
    );
    expect(f).toContain(`api: POST /containers/${name}/stop?t=2`);
    expect(f).toMatch(/running for \d/);
    expect(f).toContain(`Run container.stop on ${name}? [y/N]`);
    await ui.command('question.yes');
    f = plain(await ui.waitFor((x) => plain(x).includes('Esc closes'), 'the stop to finish'));
    expect(f).toContain('✓ SUCCEEDED');
    expect(f).toMatch(/✓ done\s+1\. stop container/);
    expect(f).toMatch(/✓ done\s+2\. check container .* is stopped — exit code 0/);
    await ui.command('task.close');
    await ui.waitFor(
      (x) => new RegExp(`› ${name}\\s+exited`).test(plain(x)),
      'the table showing it exited after the refresh',
    );
    expect(fx.refreshes).toBeGreaterThan(0);

    // Stopping it again: a typed error, in words, with what it means.
    await ui.command('container.stop');
    await ui.waitFor('Run container.stop');
    await ui.command('question.yes');
    f = plain(await ui.waitFor((x) => plain(x).includes('Esc closes'), 'the second stop to end'));
    expect(f).toMatch(/✗ FAILED\s+Esc closes/);
    expect(f).toContain(`container ${name} is already stopped`);
    expect(f).toContain('Nothing to do: it was already stopped.');
    await ui.command('task.close');

    // Start needs no question: it runs at once.
    await ui.command('container.start');
    f = plain(await ui.waitFor((x) => plain(x).includes('✓ SUCCEEDED'), 'the start to finish'));
    expect(f).not.toContain('[y/N]');
    await ui.command('task.close');
    await ui.waitFor((x) => new RegExp(`› ${name}\\s+running`).test(plain(x)), 'running again');
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);

    const events = (await fx.audit()).map((e) => `${e.event} ${e.action}`);
    expect(events).toEqual([
      'confirmed container.stop',
      'succeeded container.stop',
      'confirmed container.stop',
      'failed container.stop',
      'confirmed container.start',
      'succeeded container.start',
    ]);
  });

  it('Esc on the question runs nothing and records the refusal', async () => {
    const store = createOpsStore({ rules, origins: { docker: 'configured' } });
    const probe = new DockerProbe({ socketPath, interval: 600_000, statsInterval: 600_000, stopTimeout: 2000 }, 5000);
    scheduler = startScheduler([probe], store, { timeout: 5000 });
    fx = actionFixture({ docker: { socketPath } });
    const ui = renderConsole(store, {
      view: 'containers',
      actions: fx.controller,
      columns: 100,
      rows: 30,
      waitMs: 15_000,
    });
    await ui.waitFor((x) => plain(x).includes(name));
    await ui.command('filter');
    await ui.press(...name);
    await ui.command('input.accept');
    await ui.waitFor((x) => new RegExp(`› ${name}`).test(plain(x)));
    await ui.command('container.restart');
    await ui.waitFor('Run container.restart');
    await ui.command('question.no');
    await ui.waitFor((x) => plain(x).includes('not run (declined by the operator)'));
    // The refusal is written after the panel closes.
    const trail = fx;
    const entries = await waitFor(
      async () => {
        const list = await trail.audit();
        return list.length > 0 ? list : null;
      },
      { what: 'the refusal in the audit trail' },
    );
    expect(entries.map((e) => `${e.event} ${e.action} ${e.reason ?? ''}`)).toEqual([
      'refused container.restart declined by the operator',
    ]);
    expect(entries[0]!.steps?.[0]).toContain(`POST /containers/${name}/restart?t=2`);
  });
});
