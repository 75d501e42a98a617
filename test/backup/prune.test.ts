// Carrying out a prune: temp files of killed backups go (writer gone, untouched for an hour),
// those of running backups stay, and nothing outside the backup root is ever deleted.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanCatalog } from '../../src/backup/catalog.js';
import { partialPath, sourceDir } from '../../src/backup/naming.js';
import { isAlive } from '../../src/backup/pid.js';
import { deleteBackup, deletePartial, formatPruneReport, pruneReport } from '../../src/backup/prune.js';
import { retentionPolicy } from '../../src/backup/retention.js';
import { BackupError } from '../../src/backup/types.js';
import { filesUnder, tempDir } from './helpers.js';

describe('prune execution', () => {
  let root: { dir: string; remove: () => void };
  let dir: string;
  const DEAD_PID = 2 ** 22 + 12345; // above the default pid_max: never a live process

  beforeAll(() => {
    root = tempDir('prune');
    dir = sourceDir(root.dir, { type: 'postgres', name: 'db' });
    mkdirSync(dir, { recursive: true });
    const final = path.join(dir, 'full_backup_20250101_030000.sql.gz');
    const abandoned = partialPath(final, DEAD_PID);
    const running = partialPath(final, process.pid);
    const fresh = partialPath(path.join(dir, 'full_backup_20250102_030000.sql.gz'), DEAD_PID);
    for (const f of [abandoned, running, fresh]) writeFileSync(f, 'partial');
    const old = (Date.now() - 2 * 3_600_000) / 1000;
    utimesSync(abandoned, old, old);
    utimesSync(running, old, old);
    writeFileSync(final, 'orphan without sidecar');
  });
  afterAll(() => root?.remove());

  it('lists only the abandoned temp file as stale, and deletes it', async () => {
    const catalog = await scanCatalog(root.dir);
    expect(catalog.partials).toHaveLength(3);
    const report = pruneReport(catalog, retentionPolicy({ preset: 'itsm' }), Date.now());
    expect(report.stalePartials.map((p) => p.pid)).toEqual([DEAD_PID]);
    expect(formatPruneReport(report, Date.now()).join('\n')).toMatch(
      /temp file of an interrupted backup \(writer pid \d+ gone, untouched for 2 h\)/,
    );
    await deletePartial(root.dir, report.stalePartials[0]!, isAlive);
    expect(filesUnder(dir)).toHaveLength(3);
  });

  it('lists a backup without sidecar as unverified; it is still the only one of its series', async () => {
    const catalog = await scanCatalog(root.dir);
    expect(catalog.entries).toHaveLength(1);
    expect(catalog.entries[0]).toMatchObject({ verified: false, problem: expect.stringMatching(/no sidecar/) });
    const report = pruneReport(catalog, retentionPolicy({ preset: 'itsm' }), new Date(2026, 0, 1).getTime());
    expect(report.decisions[0]).toMatchObject({
      action: 'delete',
      reason: expect.stringMatching(/^unverified, \d+ days old/),
    });
  });

  it('refuses to delete anything outside the root or not named like a backup', async () => {
    await expect(deleteBackup(root.dir, { path: '/etc/passwd', file: 'passwd' })).rejects.toBeInstanceOf(BackupError);
    await expect(deleteBackup(root.dir, { path: path.join(dir, 'notes.txt'), file: 'notes.txt' })).rejects.toThrow(
      /not a backup file/,
    );
    await expect(
      deleteBackup(root.dir, { path: path.join(root.dir, '../x/full_backup_20250101_030000.sql.gz'), file: 'x' }),
    ).rejects.toThrow(/not a backup file inside/);
  });
});
