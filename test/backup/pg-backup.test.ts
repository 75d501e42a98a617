// PostgreSQL backups against the real (shared) server: they verify, their row counts are the
// dump's, custom format reads with pg_restore, a corrupted file fails re-verification.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createBackupAgeProbe } from '../../src/backup/age-probe.js';
import { scanCatalog } from '../../src/backup/catalog.js';
import { runBackupJob } from '../../src/backup/job.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { readSidecar } from '../../src/backup/sidecar.js';
import type { BackupProgress } from '../../src/backup/types.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { mergeRules } from '../../src/config/resolve.js';
import { unavailable } from '../helpers/services.js';
import { filesUnder, SEED, SEED_COUNTS, seededDatabase, sql, targetFor } from './helpers.js';

describe.skipIf(unavailable('postgres'))('PostgreSQL backups', () => {
  const fx = seededDatabase('bk_seed', SEED, 'pg');
  const job = (o: Partial<Parameters<typeof pgBackupJob>[0]> = {}) =>
    pgBackupJob({ root: fx.root, target: targetFor(fx.db), kind: 'full', format: 'plain', ...o });

  it("a full plain backup verifies, is named as the manual does, and records every table's row count", async () => {
    const progress: BackupProgress[] = [];
    const rec = await runBackupJob(job({ onProgress: (p) => progress.push(p) }));
    expect(rec.path).toMatch(new RegExp(`/postgres/${fx.db}/full_backup_\\d{8}_\\d{6}\\.sql\\.gz$`));
    const meta = await readSidecar(rec.path);
    expect(meta).toMatchObject({
      kind: 'full',
      format: 'plain',
      source: { type: 'postgres', name: fx.db },
      rowCountMethod: 'dump-stream',
    });
    expect(meta.rowCounts).toEqual(SEED_COUNTS);
    expect(meta.tool).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    expect(meta.serverVersion).toMatch(/^\d+/);
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.verify.ok).toBe(true);
    expect(meta.verify.checks.map((c) => c.name)).toEqual(['gzip', 'marker', 'sha256']);
    const text = gunzipSync(readFileSync(rec.path)).toString();
    expect(text).toContain('CREATE TABLE public.incidents');
    // Newer pg_dump releases put a `\unrestrict <key>` line after the marker; it still closes the dump.
    expect(text.slice(-1024)).toContain('--\n-- PostgreSQL database dump complete\n--');
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['dump', 'verify', 'publish']));
    expect(progress.at(-1)!.bytesWritten).toBe(meta.size);
    // Nothing else left behind: the file and its sidecar only.
    expect(filesUnder(fx.root).filter((f) => f.includes(rec.meta.file))).toEqual([
      `postgres/${fx.db}/${rec.meta.file}`,
      `postgres/${fx.db}/${rec.meta.file}.json`,
    ]);
    expect(filesUnder(fx.root).some((f) => f.endsWith('.partial'))).toBe(false);

    const again = await verifyBackup(rec.path);
    expect(again.ok).toBe(true);
    expect(again.recorded).toBe(true);
  });

  it('a data-only backup has no schema, and counts rows in the dump snapshot even while rows are added', async () => {
    let inserted = false;
    const pending: Promise<unknown>[] = [];
    const rec = await runBackupJob(
      job({
        kind: 'data',
        onProgress: (p) => {
          if (p.phase === 'dump' && !inserted) {
            inserted = true;
            pending.push(sql(fx.db, `INSERT INTO incidents (title) SELECT 'late' FROM generate_series(1, 100)`));
          }
        },
      }),
    );
    await Promise.all(pending);
    expect(rec.path).toMatch(/diff_backup_\d{8}_\d{6}(_\d+)?\.sql\.gz$/);
    const text = gunzipSync(readFileSync(rec.path)).toString();
    expect(text).not.toContain('CREATE TABLE');
    // Rows in the COPY block of incidents = the recorded count, whenever the insert landed.
    const block = text.split('COPY public.incidents ')[1]!.split('\n\\.\n')[0]!;
    expect(block.split('\n').length - 1).toBe(rec.meta.rowCounts!['public.incidents']);
    await sql(fx.db, `DELETE FROM incidents WHERE title = 'late'`);
  });

  it('a custom-format backup is written by pg_dump itself and reads back with pg_restore --list', async () => {
    const rec = await runBackupJob(job({ format: 'custom' }));
    expect(rec.path).toMatch(/full_backup_\d{8}_\d{6}(_\d+)?\.dump$/);
    expect(readFileSync(rec.path).subarray(0, 5).toString()).toBe('PGDMP');
    expect(rec.meta.verify.checks.find((c) => c.name === 'pg_restore')?.ok).toBe(true);
    expect(rec.meta.rowCounts).toEqual(SEED_COUNTS);
    const deep = await verifyBackup(rec.path);
    expect(deep.ok).toBe(true);
    expect(deep.checks.filter((c) => c.name === 'pg_restore')).toHaveLength(2);
  });

  it('two backups in the same second get distinct names instead of replacing each other', async () => {
    const at = new Date(2030, 0, 1, 2, 3, 4);
    const a = await runBackupJob(job({ now: () => at }));
    const b = await runBackupJob(job({ now: () => at }));
    expect(a.path).toMatch(/full_backup_20300101_020304\.sql\.gz$/);
    expect(b.path).toMatch(/full_backup_20300101_020304_2\.sql\.gz$/);
  });

  it('a corrupted backup fails re-verification, and the catalog and probe stop trusting it', async () => {
    const rec = await runBackupJob(job({ now: () => new Date(2031, 0, 1) }));
    const bytes = readFileSync(rec.path);
    for (let i = 0; i < 8; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xff;
    writeFileSync(rec.path, bytes);
    const r = await verifyBackup(rec.path);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === 'sha256')?.ok).toBe(false);
    expect((await readSidecar(rec.path)).lastVerify.ok).toBe(false);
    const entry = (await scanCatalog(fx.root)).entries.find((e) => e.path === rec.path)!;
    expect(entry.verified).toBe(false);

    // The probe reports the newest VERIFIED backup: the corrupted 2031 one does not count.
    const probe = createBackupAgeProbe({
      backups: { dir: fx.root, databases: [fx.db, 'never_backed_up'], files: [] } as never,
      rules: mergeRules({}, 'x'),
      probeTimeout: 3000,
    });
    const read = await probe.read(new AbortController().signal);
    expect(read.ok).toBe(true);
    const ages = Object.fromEntries(
      read.metrics.filter((m) => m.metric === 'backup.ageHours').map((m) => [m.instance, m.value]),
    );
    expect(ages[fx.db]).toBeLessThan(1); // the verified backups of this run
    expect(ages.never_backed_up).toBeGreaterThanOrEqual(50); // CRITICAL, not UNKNOWN
  });

  it('a corrupted custom-format backup fails re-verification too', async () => {
    const rec = await runBackupJob(job({ format: 'custom' }));
    const bytes = readFileSync(rec.path);
    bytes.fill(0, bytes.length - 4096);
    writeFileSync(rec.path, bytes);
    const r = await verifyBackup(rec.path);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/sha256|pg_restore/);
  });
});
