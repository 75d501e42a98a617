// Cancelling and terminating PostgreSQL sessions against a real server: one session holds a lock,
// two others block on it; the probe's tree shows the root with its two children, and a plan
// against the root frees them. Read-only mode refuses, and opsdeck's own connection is never a target.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockingTree, PostgresProbe, type PgReading } from '../../src/probes/postgres.js';
import { parsePid, pgSessionPlan } from '../../src/actions/pg-sessions.js';
import type { PgConnection } from '../../src/config/resolve.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

describe.skipIf(unavailable('postgres'))('postgres sessions: blocking tree, cancel and terminate', () => {
  let server: PgSandbox;
  let probe: PostgresProbe;
  const clients: pg.Client[] = [];
  const conn = (): PgConnection => ({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    interval: 2000,
    statementTimeout: 2000,
  });
  const client = async (app: string): Promise<pg.Client> => {
    const c = new pg.Client({
      host: server.host,
      port: server.port,
      user: 'postgres',
      database: 'postgres',
      application_name: app,
    });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  const pidOf = async (c: pg.Client): Promise<number> =>
    (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const reading = async (): Promise<PgReading> => {
    const r = await probe.read(new AbortController().signal);
    if (!r.ok) throw new Error(r.error.message);
    return r.reading;
  };

  /** A root holding an exclusive lock on t (running `holderSql`) and two sessions waiting for it. */
  const blockScene = async (holderSql: string) => {
    const holder = await client('holder');
    const rootPid = await pidOf(holder);
    const held = holder.query(holderSql).then(
      () => 'done',
      (e: Error) => e.message,
    );
    await waitFor(async () => (await reading()).blockingTree.length === 0, { what: 'no tree yet' });
    await waitFor(
      async () => {
        const admin = await client('admin-check');
        const r = await admin.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND mode = 'AccessExclusiveLock'`, [
          rootPid,
        ]);
        await admin.end();
        return r.rowCount === 1;
      },
      { what: 'the holder to take the lock' },
    );
    const w1 = await client('waiter-1');
    const w2 = await client('waiter-2');
    const waiterPids = [await pidOf(w1), await pidOf(w2)];
    const waits = [w1, w2].map((c) =>
      c.query('SELECT count(*) FROM t').then(
        () => 'done',
        (e: Error) => e.message,
      ),
    );
    const tree = await waitFor(
      async () => {
        const t = (await reading()).blockingTree;
        return t.length === 1 && t[0]!.children.length === 2 ? t : null;
      },
      { what: 'the tree: one root, two children' },
    );
    return { rootPid, waiterPids, held, waits, tree };
  };

  beforeAll(async () => {
    server = await startPostgres({});
    probe = new PostgresProbe(conn(), 3000);
    const c = await client('setup');
    await c.query('CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await probe?.close();
    await server?.stop();
  });

  it('shows the root blocker with its two waiters, and cancelling the root frees them', async () => {
    // One simple-query string is one implicit transaction: cancelling the sleep aborts it and drops the lock.
    const scene = await blockScene('LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)');
    const root = scene.tree[0]!;
    expect(root.pid).toBe(scene.rootPid);
    expect(root.app).toBe('holder');
    expect(root.blockedBy).toEqual([]);
    expect(root.children.map((n) => n.pid).sort()).toEqual([...scene.waiterPids].sort());
    for (const ch of root.children) {
      expect(ch.blockedBy).toContain(scene.rootPid);
      expect(ch.query).toContain('SELECT count(*) FROM t');
    }

    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: false, audit, timer: false });
    const plan = pgSessionPlan(conn(), 'cancel', root.pid, 'holder');
    expect(plan.danger).toBe('confirm');
    expect(plan.steps[0]!.describe()).toEqual({ kind: 'sql', text: `SELECT pg_cancel_backend(${root.pid})` });
    const out = await executePlan(plan, { guard, audit });
    expect(out.result).toBe('succeeded');
    expect(await scene.held).toMatch(/cancel/i);
    expect(await Promise.all(scene.waits)).toEqual(['done', 'done']);
    expect(audit.entries.map((e) => [e.action, e.event])).toEqual([
      ['postgres.cancel', 'confirmed'],
      ['postgres.cancel', 'succeeded'],
    ]);
    await waitFor(async () => (await reading()).blockingTree.length === 0, { what: 'the tree to empty' });
  });

  it('terminating an idle-in-transaction root frees its waiters; read-only mode refuses first', async () => {
    const holder = await client('holder');
    const rootPid = await pidOf(holder);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const w1 = await client('waiter-1');
    const w2 = await client('waiter-2');
    const waits = [w1, w2].map((c) =>
      c.query('SELECT count(*) FROM t').then(
        () => 'done',
        (e: Error) => e.message,
      ),
    );
    await waitFor(async () => (await reading()).blockingTree[0]?.children.length === 2, { what: 'two waiters' });

    const audit = new MemoryAudit();
    const readOnly = new ActionGuard({ readOnly: true, audit, timer: false });
    const refused = await executePlan(pgSessionPlan(conn(), 'terminate', rootPid), { guard: readOnly, audit });
    expect(refused.result).toBe('refused');
    expect(audit.entries.at(-1)).toMatchObject({ action: 'postgres.terminate', event: 'refused' });
    // Nothing was done: the root still holds, both still wait.
    expect((await reading()).blockingTree[0]?.pid).toBe(rootPid);

    const guard = new ActionGuard({ readOnly: false, audit, timer: false });
    const out = await executePlan(pgSessionPlan(conn(), 'terminate', rootPid), { guard, audit });
    expect(out.result).toBe('succeeded');
    expect(await Promise.all(waits)).toEqual(['done', 'done']);
    await waitFor(
      async () => {
        const admin = await client('admin-check');
        const r = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rootPid]);
        return r.rowCount === 0;
      },
      { what: 'the root session to be gone' },
    );
  });

  it("never signals opsdeck's own connection, and a missing pid is a one-line failure", async () => {
    await reading();
    const admin = await client('admin');
    const own = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'opsdeck'`,
    );
    const ownPid = own.rows[0]!.pid;
    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: false, audit, timer: false });
    const out = await executePlan(pgSessionPlan(conn(), 'terminate', ownPid), { guard, audit });
    expect(out.result).toBe('failed');
    expect(out.error).toMatch(/never a target/);
    expect((await reading()).version).toMatch(/^\d+/);
    expect(() => parsePid('12x')).toThrow(/not a process id/);
    expect(parsePid(' 42 ')).toBe(42);
  });

  it('builds the tree from rows: chains nest, each waiter under its first blocker', () => {
    const row = (pid: number, blockedBy: number[]) => ({
      pid,
      user: 'u',
      app: null,
      state: 'active',
      seconds: 1,
      query: 'q',
      blockedBy,
    });
    const t = blockingTree([row(1, []), row(2, [1]), row(3, [2, 1]), row(4, [1])]);
    expect(t.map((n) => n.pid)).toEqual([1]);
    expect(t[0]!.children.map((n) => n.pid)).toEqual([2, 4]);
    expect(t[0]!.children[0]!.children.map((n) => n.pid)).toEqual([3]);
  });
});
