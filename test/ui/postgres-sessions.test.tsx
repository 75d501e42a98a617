// The PostgreSQL view against a real server: one session holds a lock and two wait for it; the
// Blocking chains section shows the root with both waiters indented under it, and C on the root
// proposes pg_cancel_backend, which after a yes frees both waiters.
import pg from 'pg';
import { cleanup } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresProbe } from '../../src/probes/postgres.js';
import type { PgConnection } from '../../src/config/resolve.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { startScheduler, type Scheduler } from '../../src/state/scheduler.js';
import { createOpsStore } from '../../src/state/store.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

describe.skipIf(unavailable('postgres'))('PostgreSQL view: blocking chain and cancel on a real server', () => {
  let server: PgSandbox;
  let scheduler: Scheduler | null = null;
  let fx: ActionFixture | null = null;
  const clients: pg.Client[] = [];
  const conn = (): PgConnection => ({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    interval: 200,
    statementTimeout: 2000,
  });
  const client = async (app: string): Promise<pg.Client> => {
    const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', application_name: app });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  const pidOf = async (c: pg.Client): Promise<number> =>
    (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  beforeAll(async () => {
    server = await startPostgres({});
    await (await client('setup')).query('CREATE TABLE t (id int)');
  });
  afterAll(async () => {
    cleanup();
    await scheduler?.stop();
    await fx?.dispose();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await server?.stop();
  });

  it('shows the tree from the root blocker, and C + yes cancels the root, freeing both waiters', async () => {
    const holder = await client('holder');
    const root = await pidOf(holder);
    const held = holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)').then(
      () => 'done',
      (e: Error) => e.message,
    );
    const waiters = [await client('waiter-1'), await client('waiter-2')];
    const waiterPids = await Promise.all(waiters.map(pidOf));
    // The waiters are sent once the lock is taken, so the root is the holder.
    const check = await client('check');
    await waitFor(
      async () =>
        (await check.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND mode = 'AccessExclusiveLock'`, [root]))
          .rowCount === 1,
      { what: 'the holder to take the lock' },
    );
    const waits = waiters.map((c) =>
      c.query('SELECT count(*) FROM t').then(
        () => 'done',
        (e: Error) => e.message,
      ),
    );

    const store = createOpsStore({ rules, origins: { postgres: 'configured' } });
    const sched = startScheduler([new PostgresProbe(conn(), 3000)], store, { timeout: 3000 });
    scheduler = sched;
    fx = actionFixture({ postgres: conn(), refreshNow: () => sched.refreshNow() });
    const ui = renderConsole(store, {
      view: 'postgres',
      actions: fx.controller,
      columns: 120,
      rows: 40,
      waitMs: 15_000,
    });
    let f = plain(
      await ui.waitFor(
        (x) => waiterPids.every((p) => plain(x).includes(`└ ${p}`)),
        'the blocking chain with both waiters under the root',
      ),
    );
    expect(f).toMatch(new RegExp(`${root}\\s+2\\s`));
    expect(f).toContain('holder');

    await ui.command('focus.next');
    await ui.waitFor((x) => new RegExp(`› ${root}\\s+2`).test(plain(x)), 'the root selected');
    await ui.command('postgres.cancel');
    f = plain(await ui.waitFor((x) => plain(x).includes(`Run postgres.cancel on pid ${root}? [y/N]`), 'the plan'));
    expect(f).toContain(`sql: SELECT pg_cancel_backend(${root})`);
    expect(f).toContain('the connection stays');
    await ui.command('question.yes');
    f = plain(await ui.waitFor((x) => plain(x).includes('Esc closes'), 'the cancel to finish'));
    expect(f).toContain('✓ SUCCEEDED');
    expect(await held).toMatch(/cancel/i);
    expect(await Promise.all(waits)).toEqual(['done', 'done']);
    const audit = await fx.audit();
    expect(audit.map((e) => [e.action, e.target, e.event])).toEqual([
      ['postgres.cancel', `pid ${root}`, 'confirmed'],
      ['postgres.cancel', `pid ${root}`, 'succeeded'],
    ]);
    await ui.command('task.close');
    await ui.waitFor((x) => plain(x).includes('no session blocks another'), 'the chain gone after the refresh');
  });
});
