// The PostgreSQL probe against a dedicated real server (it is stopped, frozen and filled up
// here, so it cannot be the shared one).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresProbe, type PgReading } from '../../src/probes/postgres.js';
import type { ProbeResult } from '../../src/probes/types.js';
import type { PgConnection } from '../../src/config/resolve.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { listProcs, signal as sendSignal, withDescendants } from '../../src/sandbox/proc.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = 1500;
const PASSWORD = 'Corr3ct-Horse-pw';
const signal = () => new AbortController().signal;

describe.skipIf(unavailable('postgres'))('postgres probe', () => {
  let server: PgSandbox;
  let probe: PostgresProbe;
  const extra: pg.Client[] = [];
  const conn = (o: Partial<PgConnection> = {}): PgConnection => ({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    interval: 2000,
    statementTimeout: 1000,
    ...o,
  });
  const client = async (): Promise<pg.Client> => {
    const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    extra.push(c);
    return c;
  };
  const ok = async (p = probe): Promise<PgReading> => {
    const r = await p.read(signal());
    if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
    return r.reading;
  };
  const metric = (r: ProbeResult<PgReading>, id: string) => r.metrics.find((m) => m.metric === id)?.value;
  const closeExtra = async () => {
    await Promise.all(extra.splice(0).map((c) => c.end().catch(() => undefined)));
  };

  beforeAll(async () => {
    server = await startPostgres({
      settings: { max_connections: '10' },
      password: { user: 'app', password: PASSWORD },
    });
    probe = new PostgresProbe(conn(), TIMEOUT);
  });
  afterAll(async () => {
    await probe?.close();
    await closeExtra();
    await server?.stop();
  });

  it('reads version, uptime, connections, cache hit ratio, sizes and role', async () => {
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(r.error.message);
    const h = r.reading;
    expect(h.version).toMatch(/^\d+/);
    expect(h.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(h.connections.max).toBe(10);
    expect(h.connections.total).toBeGreaterThanOrEqual(1);
    expect(h.databases.map((d) => d.name)).toContain('postgres');
    expect(h.databases.find((d) => d.name === 'postgres')?.sizeBytes).toBeGreaterThan(0);
    expect(h.replication).toEqual({ role: 'primary', lagSeconds: null, replicas: [] });
    expect(metric(r, 'postgres.reachable')).toBe(1);
    expect(r.metrics.some((m) => m.metric === 'postgres.replicationLagSeconds')).toBe(false);
  });

  it('uses exactly one connection, named opsdeck, across reads', async () => {
    for (let i = 0; i < 3; i++) await ok();
    const admin = await client();
    const res = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where application_name = 'opsdeck'`,
    );
    expect(res.rows).toHaveLength(1);
    const h = await ok();
    expect(h.longQueries.map((q) => q.pid)).not.toContain(res.rows[0]!.pid);
    await closeExtra();
  });

  it('shows connections crossing 80 % and 90 % of max_connections', async () => {
    // probe (1) + 7 = 8 of 10 → 80 %; one more → 90 %.
    for (let i = 0; i < 7; i++) await client();
    const at80 = await probe.read(signal());
    expect(metric(at80, 'postgres.connections')).toBe(80);
    await client();
    const at90 = await probe.read(signal());
    expect(metric(at90, 'postgres.connections')).toBe(90);
    if (at90.ok) expect(at90.reading.connections.byState.idle).toBeGreaterThanOrEqual(8);
    await closeExtra();
  });

  it('shows a waiting lock with the blocking pid, and the blocked query as long-running', async () => {
    const holder = await client();
    const waiter = await client();
    await holder.query('create table if not exists locked_t (id int)');
    await holder.query('begin; lock table locked_t in access exclusive mode');
    const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const waiterPid = (await waiter.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const blocked = waiter.query('select count(*) from locked_t').catch(() => undefined);
    const h = await waitFor(
      async () => {
        const reading = await ok();
        return reading.waitingLocks.length > 0 && reading;
      },
      { timeoutMs: 10_000, what: 'the blocked query to show as a waiting lock' },
    );
    const w = h.waitingLocks.find((l) => l.pid === waiterPid);
    expect(w?.blockedBy).toEqual([holderPid]);
    expect(w?.relation).toBe('locked_t');
    expect(h.longQueries.find((q) => q.pid === waiterPid)?.query).toContain('locked_t');
    const r = await probe.read(signal());
    expect(metric(r, 'postgres.waitingLocks')).toBe(1);
    expect(metric(r, 'postgres.longestQuerySeconds')).toBeGreaterThanOrEqual(0);
    await holder.query('rollback');
    await blocked;
    await closeExtra();
  });

  it('says auth (without the password) for a wrong or missing password', async () => {
    const wrong = new PostgresProbe(conn({ user: 'app', password: 'Wr0ng-s3cret-pw' }), TIMEOUT);
    const r = await wrong.read(signal());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('auth');
      expect(r.error.message).toContain('authentication failed for user app');
      expect(r.error.message).toMatch(/passwordEnv|PGPASSWORD/);
      expect(r.error.message).not.toContain('Wr0ng-s3cret-pw');
      expect(r.error.message).not.toContain(PASSWORD);
      expect(r.error.message).not.toMatch(/\n/);
    }
    await wrong.close();
    const none = new PostgresProbe(conn({ user: 'app' }), TIMEOUT);
    const r2 = await none.read(signal());
    expect(r2.ok ? 'ok' : r2.error.kind).toBe('auth');
    await none.close();
    const right = new PostgresProbe(conn({ user: 'app', password: PASSWORD }), TIMEOUT);
    expect((await right.read(signal())).ok).toBe(true);
    await right.close();
  });

  it('is unreachable while stopped and recovers with the same probe object', async () => {
    await ok();
    await server.halt();
    const down = await probe.read(signal());
    expect(down.ok).toBe(false);
    if (!down.ok) expect(down.error.kind).toBe('unreachable');
    expect(metric(down, 'postgres.reachable')).toBe(0);
    const again = await probe.read(signal());
    if (!again.ok) expect(again.error.kind).toBe('unreachable');
    await server.start();
    expect((await ok()).connections.max).toBe(10);
  });

  it('times out within the probe timeout when the server is frozen, and recovers after', async () => {
    await ok();
    // Backends call setsid(), so a group SIGSTOP of the postmaster leaves them running: stop
    // every descendant as well, so the probe's open connection hangs too.
    server.freeze();
    const pids = [...withDescendants([server.pid()!], listProcs())];
    for (const pid of pids) sendSignal(pid, 'SIGSTOP');
    try {
      for (const phase of ['open connection', 'new connection']) {
        const t0 = performance.now();
        const r = await probe.read(signal());
        const took = performance.now() - t0;
        expect(r.ok, phase).toBe(false);
        if (!r.ok) expect(r.error.kind, phase).toBe('timeout');
        expect(took, phase).toBeLessThan(TIMEOUT + 500);
        expect(metric(r, 'postgres.reachable')).toBe(0);
      }
    } finally {
      for (const pid of pids) sendSignal(pid, 'SIGCONT');
      server.thaw();
    }
    await waitFor(() => ok(), { timeoutMs: 20_000, what: 'a good read after the thaw' });
  });
});
