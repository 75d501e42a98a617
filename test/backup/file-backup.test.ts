// File-set backups: a tar.gz that round-trips (extract and compare), fails loudly on a missing
// path, and fails re-verification once corrupted.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileBackupJob } from '../../src/backup/file-backup.js';
import { runBackupJob } from '../../src/backup/job.js';
import { BackupError } from '../../src/backup/types.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { filesUnder, tempDir } from './helpers.js';

describe('file-set backups', () => {
  let src: { dir: string; remove: () => void };
  let root: { dir: string; remove: () => void };
  let out: { dir: string; remove: () => void };

  beforeAll(() => {
    src = tempDir('src');
    root = tempDir('files');
    out = tempDir('extract');
    const data = path.join(src.dir, 'data');
    mkdirSync(path.join(data, 'nested/deeper'), { recursive: true });
    mkdirSync(path.join(data, 'empty'));
    writeFileSync(path.join(data, 'a.txt'), 'hello\n');
    writeFileSync(
      path.join(data, 'nested/deeper/blob.bin'),
      createHash('sha512').update('x').digest().toString('hex').repeat(5000),
    );
    writeFileSync(path.join(data, 'name with spaces & ünïcode.txt'), 'ü');
    symlinkSync('a.txt', path.join(data, 'link-to-a'));
    writeFileSync(path.join(src.dir, '.env.production'), 'SECRET_KEY=abc\n');
  });
  afterAll(() => {
    for (const d of [src, root, out]) d?.remove();
  });

  it('round-trips: every file, directory and link comes back as it was', async () => {
    const paths = [path.join(src.dir, 'data'), path.join(src.dir, '.env.production')];
    const rec = await runBackupJob(fileBackupJob({ root: root.dir, name: 'app', paths }));
    expect(rec.path).toMatch(/\/files\/app\/app_\d{8}_\d{6}\.tar\.gz$/);
    expect(rec.meta).toMatchObject({ kind: 'files', format: 'tar', source: { type: 'files', name: 'app', paths } });
    expect(rec.meta.verify.checks.find((c) => c.name === 'tar')?.detail).toMatch(
      /^all \d+ entries read back as written$/,
    );
    expect(filesUnder(root.dir).some((f) => f.endsWith('.partial'))).toBe(false);

    await tar.x({ file: rec.path, cwd: out.dir });
    const restored = path.join(out.dir, path.relative('/', src.dir));
    expect(filesUnder(restored)).toEqual(filesUnder(src.dir));
    for (const f of filesUnder(src.dir)) {
      const a = path.join(src.dir, f);
      const b = path.join(restored, f);
      if (lstatSync(a).isSymbolicLink()) expect(readlinkSync(b)).toBe(readlinkSync(a));
      else expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
      expect(lstatSync(b).mode).toBe(lstatSync(a).mode);
    }
    expect(lstatSync(path.join(restored, 'data/empty')).isDirectory()).toBe(true);
    expect((await verifyBackup(rec.path)).ok).toBe(true);
  });

  it("a fresh backup's lastVerify is its own verify, not a later one, even if the clock ticks in between", async () => {
    // Every `new Date()` a millisecond later than the one before: two separate verification
    // stamps would differ, and the Backups view would call the fresh backup "re-verified".
    const RealDate = Date;
    let t = RealDate.now();
    vi.stubGlobal(
      'Date',
      class extends RealDate {
        constructor(...args: ConstructorParameters<typeof Date>) {
          if (args.length > 0) super(...args);
          else super(t++);
        }
        static override now(): number {
          return t++;
        }
      },
    );
    try {
      const rec = await runBackupJob(
        fileBackupJob({ root: root.dir, name: 'stamps', paths: [path.join(src.dir, 'data')] }),
      );
      expect(rec.meta.lastVerify).toEqual(rec.meta.verify);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a missing configured path fails the backup and names the path', async () => {
    const missing = path.join(src.dir, 'nope');
    const err = await runBackupJob(
      fileBackupJob({ root: root.dir, name: 'bad', paths: [path.join(src.dir, 'data'), missing] }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect((err as Error).message).toContain(missing);
    expect(filesUnder(path.join(root.dir, 'files/bad'))).toEqual([]);
  });

  it('a corrupted archive fails re-verification', async () => {
    const rec = await runBackupJob(
      fileBackupJob({ root: root.dir, name: 'corrupt', paths: [path.join(src.dir, 'data')] }),
    );
    const bytes = readFileSync(rec.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x55;
    writeFileSync(rec.path, bytes);
    const r = await verifyBackup(rec.path);
    expect(r.ok).toBe(false);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toContain('sha256');
  });

  it('a cancelled archive leaves nothing behind', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await runBackupJob(
      fileBackupJob({ root: root.dir, name: 'cancel', paths: [path.join(src.dir, 'data')] }),
      { signal: ac.signal },
    ).catch((e: unknown) => e);
    expect((err as BackupError).failure).toBe('cancelled');
    expect(filesUnder(path.join(root.dir, 'files/cancel'))).toEqual([]);
  });
});
