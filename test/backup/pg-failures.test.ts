// Never a partial file that looks good: a killed pg_dump, a cancel, a full filesystem and a
// pg_dump error each leave no file with the final name, no sidecar and no temp file.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob, type PgBackupOptions } from '../../src/backup/pg-backup.js';
import { BackupError } from '../../src/backup/types.js';
import { unavailable, uniqueName } from '../helpers/services.js';
import { BIG, filesUnder, seededDatabase, sql, targetFor, tempDir } from './helpers.js';

async function failure(p: Promise<unknown>): Promise<BackupError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BackupError)) throw new Error(`expected a BackupError, got ${String(err)}`);
  return err;
}

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;

describe.skipIf(unavailable('postgres'))('failed backups leave nothing that looks good', () => {
  const fx = seededDatabase('bk_big', BIG, 'fail');
  const opts = (o: Partial<PgBackupOptions> = {}): PgBackupOptions => ({
    root: fx.root,
    target: targetFor(fx.db),
    kind: 'full',
    format: 'plain',
    ...o,
  });

  it('pg_dump killed with SIGKILL half-way', async () => {
    let pid = 0;
    let killed = false;
    const err = await failure(
      runBackupJob(
        pgBackupJob(
          opts({
            onSpawn: (p) => (pid = p),
            onProgress: (p) => {
              if (!killed && p.bytesIn > 4_000_000) {
                killed = true;
                process.kill(pid, 'SIGKILL');
              }
            },
          }),
        ),
      ),
    );
    expect(killed).toBe(true);
    expect(err.failure).toBe('dump_failed');
    expect(err.message).toMatch(/pg_dump was killed by SIGKILL/);
    expect(filesUnder(fx.root)).toEqual([]);
  });

  it('pg_dump -Fc killed half-way', async () => {
    let pid = 0;
    let killed = false;
    const err = await failure(
      runBackupJob(
        pgBackupJob(
          opts({
            format: 'custom',
            onSpawn: (p) => (pid = p),
            onProgress: (p) => {
              if (!killed && p.phase === 'dump' && p.bytesWritten > 0) {
                killed = true;
                process.kill(pid, 'SIGKILL');
              }
            },
          }),
        ),
      ),
    );
    expect(killed).toBe(true);
    expect(err.failure).toBe('dump_failed');
    expect(filesUnder(fx.root)).toEqual([]);
  });

  it('cancelled through the AbortSignal', async () => {
    const ac = new AbortController();
    const err = await failure(
      runBackupJob(pgBackupJob(opts({ onProgress: (p) => p.bytesIn > 4_000_000 && ac.abort() })), {
        signal: ac.signal,
      }),
    );
    expect(ac.signal.aborted).toBe(true);
    expect(err.failure).toBe('cancelled');
    expect(filesUnder(fx.root)).toEqual([]);
  });

  it('pg_dump failing with an error of its own (permission denied)', async () => {
    const role = uniqueName('bk_noperm');
    await sql(fx.db, `CREATE ROLE ${role} LOGIN`);
    try {
      const err = await failure(runBackupJob(pgBackupJob(opts({ target: targetFor(fx.db, role) }))));
      expect(err.failure).toBe('dump_failed');
      expect(err.message).toMatch(/pg_dump exited with code 1: .*permission denied/);
      expect(filesUnder(fx.root)).toEqual([]);
    } finally {
      await sql(fx.db, `DROP ROLE ${role}`);
    }
  });

  it('a pg_dump that cannot be run at all', async () => {
    const err = await failure(runBackupJob(pgBackupJob(opts({ pgDump: '/nonexistent/pg_dump' }))));
    expect(err.failure).toBe('dump_failed');
    expect(err.message).toMatch(/pg_dump: not found/);
    expect(filesUnder(fx.root)).toEqual([]);
  });

  describe.skipIf(!canMount)('on a full filesystem (256 kB tmpfs)', () => {
    let small: { dir: string; remove: () => void };
    let mounted = false;
    beforeAll(() => {
      small = tempDir('tmpfs');
      mkdirSync(small.dir, { recursive: true });
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small.dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
      mounted = true;
    });
    afterAll(() => {
      if (mounted) spawnSync('umount', [small.dir]);
      small?.remove();
    });

    it('the preflight refuses and says how much is missing', async () => {
      const err = await failure(runBackupJob(pgBackupJob(opts({ root: small.dir }))));
      expect(err.failure).toBe('no_space');
      expect(err.message).toMatch(/not enough space .* needs about .* free — .* missing/);
      expect(filesUnder(small.dir)).toEqual([]);
    });

    it('without the preflight, ENOSPC half-way leaves nothing behind', async () => {
      const err = await failure(runBackupJob(pgBackupJob(opts({ root: small.dir })), { skipPreflight: true }));
      expect(err.failure).toBe('no_space');
      expect(err.message).toMatch(/filesystem is full \(ENOSPC\)/);
      expect(filesUnder(small.dir)).toEqual([]);
    });

    it('custom format: pg_dump hits ENOSPC itself, still nothing behind', async () => {
      const err = await failure(
        runBackupJob(pgBackupJob(opts({ root: small.dir, format: 'custom' })), { skipPreflight: true }),
      );
      expect(err.failure).toBe('dump_failed');
      expect(err.message).toMatch(/No space left on device/i);
      expect(filesUnder(path.join(small.dir))).toEqual([]);
    });
  });
});
