// WAL archiving, the recovery point between two backups, read from a real server that archives
// (archive_mode = on): the age of the newest archived segment moves as time passes and resets
// when a segment is archived; a failing archive_command is seen as failing; a server that does
// not archive has no such metrics at all.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgMetrics, PostgresProbe, type PgReading } from '../../src/probes/postgres.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { pgReading } from '../ui/fixtures.js';

describe.skipIf(unavailable('postgres'))('postgres probe: WAL archiving', () => {
  let server: PgSandbox;
  let probe: PostgresProbe;
  let sql: pg.Client;

  const read = async (): Promise<{ reading: PgReading; metric: (id: string) => number | null | undefined }> => {
    const r = await probe.read(new AbortController().signal);
    if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
    return { reading: r.reading, metric: (id) => r.metrics.find((m) => m.metric === id)?.value };
  };
  // Writes something and closes the current WAL segment, so the archiver has a segment to archive.
  const switchWal = async (): Promise<void> => {
    await sql.query('INSERT INTO t SELECT generate_series(1, 100)');
    await sql.query('SELECT pg_switch_wal()');
  };
  // The command is fixed on the server's command line (which outranks ALTER SYSTEM); it fails
  // while this flag file exists.
  let flagDir = '';
  const failArchiving = (fail: boolean): void => {
    const flag = path.join(flagDir, 'fail');
    if (fail) writeFileSync(flag, '');
    else rmSync(flag, { force: true });
  };

  beforeAll(async () => {
    // The archiver's bookkeeping is under test, not a copy: the command succeeds (archives) unless
    // the flag file exists. The directory is readable by the server's own user.
    flagDir = mkdtempSync(path.join(tmpdir(), 'opsdeck-wal-'));
    chmodSync(flagDir, 0o755);
    const command = `test ! -e ${path.join(flagDir, 'fail')}`;
    server = await startPostgres({ settings: { archive_mode: 'on', archive_command: command, wal_level: 'replica' } });
    probe = new PostgresProbe(
      {
        host: server.host,
        port: server.port,
        user: 'postgres',
        database: 'postgres',
        interval: 2000,
        statementTimeout: 2000,
      },
      3000,
    );
    sql = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
    await sql.connect();
    await sql.query('CREATE TABLE t (n int)');
  }, 60_000);

  afterAll(async () => {
    await sql?.end().catch(() => undefined);
    await probe?.close();
    await server?.stop();
    rmSync(flagDir, { recursive: true, force: true });
  });

  it('reads the archiver: on, segments archived, and the age of the newest one moving', async () => {
    await switchWal();
    const first = await waitFor(
      async () => {
        const r = await read();
        return r.reading.wal.archived >= 1 && r.reading.wal.lastArchivedAt !== null ? r : null;
      },
      { what: 'a segment archived', timeoutMs: 15_000 },
    );
    expect(first.reading.wal).toMatchObject({ archiving: true, mode: 'on', failing: false, failed: 0 });
    expect(first.reading.wal.lastArchivedWal).toMatch(/^[0-9A-F]{24}$/);
    expect(first.metric('postgres.walArchiveFailing')).toBe(0);
    const age0 = first.metric('postgres.walArchiveAgeSeconds');
    expect(age0).toBeGreaterThanOrEqual(0);
    // Nothing archived since: the recovery point ages.
    await waitFor(async () => ((await read()).metric('postgres.walArchiveAgeSeconds') ?? 0) >= (age0 ?? 0) + 1, {
      what: 'the archive age to grow by a second',
      timeoutMs: 10_000,
    });
  });

  it('sees a failing archive_command, and the recovery point move again once it archives', async () => {
    const before = (await read()).reading.wal;
    failArchiving(true);
    await switchWal();
    const failing = await waitFor(
      async () => {
        const r = await read();
        return r.reading.wal.failing ? r : null;
      },
      { what: 'archiving seen failing', timeoutMs: 20_000 },
    );
    expect(failing.metric('postgres.walArchiveFailing')).toBe(1);
    expect(failing.reading.wal.failed).toBeGreaterThan(0);
    expect(failing.reading.wal.lastFailedWal).toMatch(/^[0-9A-F]{24}$/);
    failArchiving(false);
    const fixed = await waitFor(
      async () => {
        const r = await read();
        return !r.reading.wal.failing && (r.reading.wal.lastArchivedAt ?? 0) > (before.lastArchivedAt ?? 0) ? r : null;
      },
      { what: 'archiving back and a newer segment archived', timeoutMs: 90_000 },
    );
    expect(fixed.metric('postgres.walArchiveFailing')).toBe(0);
  }, 120_000);
});

describe('WAL archive metrics', () => {
  it('are left out for a server that does not archive', () => {
    const ids = pgMetrics(pgReading()).map((m) => m.metric);
    expect(ids).not.toContain('postgres.walArchiveAgeSeconds');
    expect(ids).not.toContain('postgres.walArchiveFailing');
  });
});
