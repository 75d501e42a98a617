// Pure parts of the off-host copies: the config's messages for a bad remote (a connection string
// would put credentials in argv), the redaction of rclone's output, remote paths, the backoff.
import { configProblem } from '../helpers/config.js';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { backoffMs, isDue, type OffsiteRecord } from '../../src/backup/offsite-state.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configFileSecrets, rcloneSecrets, redactWith, remotePath } from '../../src/backup/rclone.js';
import { withOffsite } from '../../src/backup/offsite.js';
import type { Catalog, CatalogEntry } from '../../src/backup/catalog.js';

const problem = (text: string): string => configProblem(text);

describe('backups.offsite', () => {
  it('takes a remote:path with defaults for the rest', () => {
    const c = parseConfigText('backups:\n  offsite:\n    remote: "offsite:opsdeck/backups"\n', '/x.yaml');
    expect(c.backups.offsite).toEqual({
      remote: 'offsite:opsdeck/backups',
      rclone: 'rclone',
      interval: 60_000,
      retry: { initial: 60_000, max: 6 * 3_600_000, factor: 2 },
    });
  });
  it.each([
    [':webdav,url=h,pass=x:path', /is an rclone connection string, which would put credentials on the command line/],
    ['s3,access_key_id=AKIA:bucket', /is an rclone connection string/],
    ['just-a-path', /expected an rclone remote and path like "offsite:opsdeck\/backups"/],
  ])('refuses %s with a clear message', (remote, msg) => {
    expect(problem(`backups:\n  offsite:\n    remote: "${remote}"\n`)).toMatch(msg);
  });
  it('refuses a relative configFile and a bad bwlimit', () => {
    expect(problem('backups:\n  offsite:\n    remote: "o:p"\n    configFile: rclone.conf\n')).toMatch(
      /backups\.offsite\.configFile: expected an absolute path/,
    );
    expect(problem('backups:\n  offsite:\n    remote: "o:p"\n    bwlimit: fast\n')).toMatch(/expected a bandwidth/);
  });
});

describe('redaction of rclone output', () => {
  const env = {
    RCLONE_CONFIG_OFFSITE_TYPE: 'webdav',
    RCLONE_CONFIG_OFFSITE_URL: 'https://dav.example.com/',
    RCLONE_CONFIG_OFFSITE_PASS: 'obscuredPASSvalue',
    RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
    RCLONE_CONFIG_S3_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    RCLONE_CONFIG_B2_SESSION_TOKEN: 'tok-123456',
    HOME: '/root',
  };
  it('masks every credential value of the environment, and URL userinfo', () => {
    const secrets = rcloneSecrets(env);
    expect(secrets.sort()).toEqual(
      ['obscuredPASSvalue', 'wJalrXUtnFEMI/K7MDENG', 'AKIAIOSFODNN7EXAMPLE', 'tok-123456'].sort(),
    );
    const text =
      'ERROR: auth failed for obscuredPASSvalue at https://bob:hunter2@dav.example.com/ ' +
      'key AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI/K7MDENG tok-123456';
    const out = redactWith(text, secrets);
    for (const s of [...secrets, 'hunter2']) expect(out).not.toContain(s);
    expect(out).toContain('https://bob:***@dav.example.com/');
    expect(out).toContain('dav.example.com'); // the URL itself is not a secret
  });
});

describe("secrets of rclone's config file", () => {
  it('are the values of its credential keys', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-rclone-conf-'));
    try {
      const f = path.join(dir, 'rclone.conf');
      writeFileSync(
        f,
        '[s3]\ntype = s3\naccess_key_id = AKIA123456\nsecret_access_key = s3cr3t/value\nregion = eu-1\n' +
          '[dav]\ntype = webdav\nurl = https://x/\npass = ObScUrEd\n',
      );
      expect(configFileSecrets(f).sort()).toEqual(['AKIA123456', 'ObScUrEd', 's3cr3t/value']);
      expect(configFileSecrets(path.join(dir, 'missing.conf'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('remote paths and backoff', () => {
  it('joins the relative path under the remote', () => {
    expect(remotePath('offsite:opsdeck/backups', 'postgres/db/f.sql.gz')).toBe(
      'offsite:opsdeck/backups/postgres/db/f.sql.gz',
    );
    expect(remotePath('bucket:', 'files/x/x.tar.gz')).toBe('bucket:files/x/x.tar.gz');
  });
  it('doubles the wait up to the maximum; a failed copy is due only at its retry time', () => {
    const retry = { initial: 60_000, max: 600_000, factor: 2 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, retry))).toEqual([
      60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
    const r = { state: 'failed', nextRetryAt: new Date(1_000_000).toISOString() } as OffsiteRecord;
    expect(isDue(r, 999_999)).toBe(false);
    expect(isDue(r, 1_000_000)).toBe(true);
    expect(isDue({ ...r, state: 'copied' }, 2_000_000)).toBe(false);
    expect(isDue({ ...r, state: 'copying' }, 0)).toBe(true); // left by a process that died
  });
});

describe('the catalog with off-host copies', () => {
  const entry = (sha256: string): CatalogEntry => ({
    origin: 'opsdeck',
    path: '/b/postgres/app/app_20261204_010000_full.sql.gz',
    file: 'app_20261204_010000_full.sql.gz',
    source: { type: 'postgres', name: 'app' },
    sourceKey: 'app',
    kind: 'full',
    format: 'plain',
    time: Date.parse('2026-12-04T01:00:00Z'),
    size: 10,
    verified: true,
    meta: { sha256, size: 10 } as CatalogEntry['meta'],
  });
  const record = (sha256: string): OffsiteRecord => ({
    rel: 'postgres/app/app_20261204_010000_full.sql.gz',
    file: 'app_20261204_010000_full.sql.gz',
    remote: 'off:bk',
    source: { type: 'postgres', name: 'app' },
    sourceKey: 'app',
    kind: 'full',
    format: 'plain',
    time: Date.parse('2026-12-04T01:00:00Z'),
    size: 10,
    sha256,
    state: 'copied',
    attempts: 1,
    verifiedAt: '2026-12-04T01:01:00Z',
  });
  const listed = (localSha: string, copiedSha: string): CatalogEntry[] => {
    const catalog: Catalog = { root: '/b', entries: [entry(localSha)], partials: [], problems: [] };
    withOffsite(catalog, { version: 1, copies: { [record(copiedSha).rel]: record(copiedSha) } }, { remote: 'off:bk' });
    return catalog.entries;
  };

  it('shows the copy of the same file as copied', () => {
    const [e] = listed('a'.repeat(64), 'a'.repeat(64));
    expect(e?.offsite?.state).toBe('copied');
  });

  it('does not take the copy of another file under the same name for this one', () => {
    const [e] = listed('a'.repeat(64), 'b'.repeat(64));
    expect(e?.offsite?.state).toBe('pending');
  });
});
