// Pure pieces of the restore: quoting, the verification table, the database-state sentence, the
// argv (never a password), the drill log summary.
import { describe, expect, it } from 'vitest';
import { summarizeDrills, daysSinceDrill, type DrillRecord } from '../../src/backup/drill-log.js';
import { describeLoad, loadArgv } from '../../src/restore/load-data.js';
import { conninfoValue, quoteIdent, quoteLiteral } from '../../src/restore/sql.js';
import { dbStateOf } from '../../src/restore/state.js';
import { newTracker } from '../../src/restore/steps.js';
import { compareCounts, formatComparison, summarizeComparison } from '../../src/restore/verify-data.js';
import { accepts } from '../../src/restore/execute.js';
import { createDatabaseSql, dropDatabaseSql } from '../../src/restore/db-facts.js';

describe('quoting', () => {
  it('quotes identifiers, literals and conninfo values so any name stays one value', () => {
    expect(quoteIdent('itsm_db')).toBe('"itsm_db"');
    expect(quoteIdent('a "b"; DROP')).toBe('"a ""b""; DROP"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(conninfoValue("my db's \\x")).toBe("'my db\\'s \\\\x'");
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
  });

  it('builds CREATE and DROP DATABASE with quoted names, the old locale and a closed door', () => {
    const sql = createDatabaseSql('x"y', 'app owner', {
      name: 'x"y',
      exists: true,
      owner: 'o',
      encoding: 'UTF8',
      collate: 'C',
      ctype: 'C',
      tablespace: 'fast',
      connLimit: 5,
      grants: [],
      settings: [],
      skippedSettings: [],
    });
    expect(sql).toBe(
      `CREATE DATABASE "x""y" OWNER "app owner" TEMPLATE template0 ENCODING 'UTF8' ` +
        `LC_COLLATE 'C' LC_CTYPE 'C' TABLESPACE "fast" CONNECTION LIMIT 0`,
    );
    expect(dropDatabaseSql('x"y', 150000, true)).toBe('DROP DATABASE IF EXISTS "x""y" WITH (FORCE)');
    expect(dropDatabaseSql('d', 120000)).toBe('DROP DATABASE "d"');
  });
});

describe('the load command', () => {
  const target = { host: '127.0.0.1', port: 5432, user: 'postgres', database: `it's "odd"`, password: 's3cret-pw' };
  it('never carries the password or the connection in argv', () => {
    for (const format of ['plain', 'custom'] as const) {
      const argv = loadArgv({ file: '/b/f', format, target, psql: 'psql', pgRestore: 'pg_restore' });
      expect(argv.join(' ')).not.toContain('s3cret');
      expect(describeLoad({ file: '/b/f', format, target, psql: 'psql', pgRestore: 'pg_restore' })).toContain(
        'PGPASSWORD=***',
      );
    }
    expect(loadArgv({ file: '/b/f.dump', format: 'custom', target, pgRestore: 'pg_restore' })).toEqual([
      'pg_restore',
      '--no-password',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=dbname='it\\'s "odd"'`,
      '/b/f.dump',
    ]);
  });
});

describe('verification table', () => {
  it('fails on a different count or a missing table, shows unrecorded tables without failing', () => {
    const rows = compareCounts(
      { 'public.a': 3, 'public.b': 5, 'public.gone': 1 },
      { 'public.a': 3, 'public.b': 4, 'public.new': 9 },
    );
    expect(rows).toEqual([
      { name: 'public.a', kind: 'table', expected: '3', actual: '3', ok: true },
      { name: 'public.b', kind: 'table', expected: '5', actual: '4', ok: false, note: '-1 rows' },
      { name: 'public.gone', kind: 'table', expected: '1', actual: null, ok: false, note: 'table missing' },
      { name: 'public.new', kind: 'table', expected: null, actual: '9', ok: true, note: 'not recorded in the backup' },
    ]);
    const c = summarizeComparison(rows, true);
    expect(c.ok).toBe(false);
    expect(c.message).toBe('2 mismatches; first: public.b expected 5, got 4 (-1 rows)');
    expect(formatComparison(c)[2]).toMatch(/^public\.b\s+5\s+4 {2}MISMATCH \(-1 rows\)$/);
  });
});

describe('the state of the database, in words', () => {
  const t = () => newTracker();
  it('names every exit plainly, with the safety dump', () => {
    expect(dbStateOf(t(), 'db', '/b/f').kind).toBe('untouched');
    const s = { ...t(), safetyDump: '/s/d.sql.gz', dropped: true };
    expect(dbStateOf(s, 'db', '/b/f')).toMatchObject({ kind: 'absent', safetyDump: '/s/d.sql.gz' });
    expect(dbStateOf({ ...s, created: true }, 'db', '/b/f').text).toBe(
      'EMPTY: db was recreated but holds no data (the load failed and was rolled back as one transaction). ' +
        'The safety dump of the data it held is /s/d.sql.gz.',
    );
    expect(dbStateOf({ ...s, created: true, loaded: true, loadedFrom: '/b/f' }, 'db', '/b/f').kind).toBe('unverified');
    expect(
      dbStateOf({ ...s, created: true, loaded: true, loadedFrom: '/b/f', verified: true }, 'db', '/b/f').kind,
    ).toBe('restored');
    expect(
      dbStateOf({ ...s, created: true, loaded: true, loadedFrom: '/s/d.sql.gz', verified: true }, 'db', '/b/f').text,
    ).toBe('ROLLED BACK: db is back to the safety dump /s/d.sql.gz and verified.');
  });

  it('accepts exactly the typed name, and y/yes for questions', () => {
    const typed = { stage: 'drop', kind: 'type', question: '?', expect: 'itsm_db' } as const;
    expect(accepts(typed, 'itsm_db')).toBe(true);
    expect(accepts(typed, 'ITSM_DB')).toBe(false);
    expect(accepts(typed, null)).toBe(false);
    expect(accepts({ stage: 'start', kind: 'yes', question: '?' }, 'Yes')).toBe(true);
    expect(accepts({ stage: 'start', kind: 'yes', question: '?' }, '')).toBe(false);
  });
});

describe('drill log summary', () => {
  const rec = (at: string, ok: boolean, source = 'itsm_db'): DrillRecord => ({
    version: 1,
    at,
    source,
    backup: '/b',
    scratch: 's',
    ok,
    durationMs: 1,
    message: '',
    dropped: true,
    host: 'h',
  });
  it('keeps the newest drill and the newest successful drill per source', () => {
    const m = summarizeDrills([
      rec('2025-01-01T00:00:00Z', true),
      rec('2025-02-01T00:00:00Z', false),
      rec('2025-01-15T00:00:00Z', true, 'other'),
    ]);
    expect(m.get('itsm_db')!.last.at).toBe('2025-02-01T00:00:00Z');
    expect(m.get('itsm_db')!.lastOk!.at).toBe('2025-01-01T00:00:00Z');
    expect(daysSinceDrill(m.get('itsm_db'), Date.parse('2025-01-31T00:00:00Z'))).toBe(30);
    expect(daysSinceDrill(undefined, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
