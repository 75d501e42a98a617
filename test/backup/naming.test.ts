// File names and directory layout of the backup directory (pure).
import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  parseBackupFileName,
  partialPath,
  partialPid,
  sourceDir,
  sourceOfDir,
  stamp,
} from '../../src/backup/naming.js';
import { pgDumpArgs, pgChildEnv } from '../../src/backup/pg-tools.js';

const at = new Date(2025, 0, 5, 3, 4, 5);

describe('backup names', () => {
  it('follow the manuals', () => {
    expect(stamp(at)).toBe('20250105_030405');
    expect(backupFileName({ type: 'postgres', name: 'itsm_db' }, 'full', 'plain', at)).toBe(
      'full_backup_20250105_030405.sql.gz',
    );
    expect(backupFileName({ type: 'postgres', name: 'itsm_db' }, 'data', 'plain', at)).toBe(
      'diff_backup_20250105_030405.sql.gz',
    );
    expect(backupFileName({ type: 'postgres', name: 'itsm_db' }, 'full', 'custom', at)).toBe(
      'full_backup_20250105_030405.dump',
    );
    expect(backupFileName({ type: 'files', name: 'data' }, 'files', 'tar', at)).toBe('data_20250105_030405.tar.gz');
    expect(backupFileName({ type: 'postgres', name: 'x' }, 'full', 'plain', at, 2)).toBe(
      'full_backup_20250105_030405_2.sql.gz',
    );
  });

  it('parse back, and reject what is not a backup', () => {
    expect(parseBackupFileName('diff_backup_20250105_030405_3.sql.gz')).toEqual({ kind: 'data', format: 'plain', at });
    expect(parseBackupFileName('full_backup_20250105_030405.dump')).toEqual({ kind: 'full', format: 'custom', at });
    expect(parseBackupFileName('data_20250105_030405.tar.gz')).toEqual({
      kind: 'files',
      format: 'tar',
      at,
      setName: 'data',
    });
    expect(parseBackupFileName('full_backup_20251305_030405.sql.gz')).toBeUndefined(); // month 13
    expect(parseBackupFileName('full_backup_20250105_030405.sql.gz.json')).toBeUndefined();
    expect(parseBackupFileName('.full_backup_20250105_030405.sql.gz.123.partial')).toBeUndefined();
  });

  it('give every source its own safe directory, reversibly', () => {
    for (const name of ['itsm_db', '..', '.hidden', 'a/b', 'we ird*%']) {
      const dir = sourceDir('/b', { type: 'postgres', name });
      expect(dir.startsWith('/b/postgres/')).toBe(true);
      expect(dir.split('/')).toHaveLength(4);
      expect(sourceOfDir('/b', dir)).toEqual({ type: 'postgres', name });
    }
    expect(sourceDir('/b', { type: 'files', name: 'config' })).toBe('/b/files/config');
  });

  it('name temp files hidden, with the writer pid', () => {
    const p = partialPath('/b/postgres/x/full_backup_20250105_030405.sql.gz', 4242);
    expect(p).toBe('/b/postgres/x/.full_backup_20250105_030405.sql.gz.4242.partial');
    expect(partialPid('.full_backup_20250105_030405.sql.gz.4242.partial')).toBe(4242);
  });
});

describe('pg_dump invocation', () => {
  const target = { host: '127.0.0.1', port: 5432, user: 'app', database: 'host=evil dbname=x', password: 's3cret-pw' };

  it('puts connection details and the password in the environment, never in argv', () => {
    const args = pgDumpArgs({ kind: 'data', format: 'custom', snapshot: '00000003-1', file: '/b/.x.partial' });
    expect(args).toEqual([
      '--no-password',
      '--format=custom',
      '--data-only',
      '--snapshot=00000003-1',
      '--file=/b/.x.partial',
      '--no-sync',
    ]);
    expect(args.join(' ')).not.toContain('s3cret-pw');
    const env = pgChildEnv(target, {
      PATH: '/bin',
      PGHOST: 'elsewhere',
      PGSERVICE: 'prod',
      PGPASSFILE: '/root/.pgpass',
    });
    expect(env).toMatchObject({
      PGHOST: '127.0.0.1',
      PGPORT: '5432',
      PGUSER: 'app',
      PGDATABASE: 'host=evil dbname=x',
      PGPASSWORD: 's3cret-pw',
      PATH: '/bin',
      PGPASSFILE: '/root/.pgpass',
    });
    expect(env.PGSERVICE).toBeUndefined();
  });
});
