// The backup sidecar as read back from disk: what is kept (unknown keys of a newer opsdeck are
// dropped, not refused; defaults filled in) and the one-line reason a file is not a sidecar.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSidecar, recordVerify, type Sidecar } from '../../src/backup/sidecar.js';
import { tempDir } from './helpers.js';

const root = tempDir('sidecar');
afterAll(() => root.remove());

const verify = {
  ok: true,
  at: '2025-06-30T12:00:00.000Z',
  checks: [{ name: 'sha256' as const, ok: true, detail: 'matches' }],
  message: 'verified',
};
const pgMeta: Sidecar = {
  version: 1,
  file: 'itsm_db-full-20250630T120000Z.sql.gz',
  kind: 'full',
  format: 'plain',
  source: { type: 'postgres', name: 'itsm_db', host: '127.0.0.1', port: 5432, user: 'opsdeck' },
  startedAt: '2025-06-30T12:00:00.000Z',
  finishedAt: '2025-06-30T12:00:01.000Z',
  size: 1234,
  sha256: 'a'.repeat(64),
  uncompressedSize: 5678,
  tool: 'pg_dump (PostgreSQL) 15.20',
  serverVersion: '15.20',
  databaseSize: 9999,
  rowCounts: { 'public.t': 3 },
  rowCountMethod: 'dump-stream',
  host: 'h',
  verify,
  lastVerify: verify,
};

let n = 0;
/** Writes `data` as the sidecar of a fresh backup name; returns the backup's path. */
function sidecarOf(data: unknown): string {
  const file = path.join(root.dir, `b${n++}.sql.gz`);
  writeFileSync(`${file}.json`, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}
const reason = async (data: unknown): Promise<string> => {
  const file = sidecarOf(data);
  const err = await readSidecar(file).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error('expected readSidecar to fail');
  return err.message.replace(`${file}.json: `, '');
};

describe('sidecar', () => {
  it('reads back what was written', async () => {
    expect(await readSidecar(sidecarOf(pgMeta))).toEqual(pgMeta);
  });

  it('drops keys it does not know and fills in the paths of a files source', async () => {
    const meta = {
      ...pgMeta,
      kind: 'files',
      format: 'tar',
      source: { type: 'files', name: 'etc', future: 1 },
      addedLater: true,
      entries: 4,
    };
    const read = await readSidecar(sidecarOf(meta));
    expect(read).toEqual({
      ...pgMeta,
      kind: 'files',
      format: 'tar',
      source: { type: 'files', name: 'etc', paths: [] },
      entries: 4,
    });
    expect(read).not.toHaveProperty('addedLater');
  });

  it('a custom backup of an earlier version, counted from COPY tags, still reads', async () => {
    const old: Sidecar = {
      ...pgMeta,
      format: 'custom',
      file: 'full_backup_20261120_120000.dump',
      rowCountMethod: 'dump-copy-tag',
    };
    expect(await readSidecar(sidecarOf(old))).toEqual(old);
  });

  it('a re-verification keeps the rest', async () => {
    const file = sidecarOf(pgMeta);
    const again = { ...verify, at: '2025-07-01T00:00:00.000Z' };
    expect(await recordVerify(file, again)).toEqual({ ...pgMeta, lastVerify: again });
    expect(await readSidecar(file)).toEqual({ ...pgMeta, lastVerify: again });
  });

  it.each([
    ['not JSON', '{"version":', 'not valid JSON'],
    [
      'another version',
      { ...pgMeta, version: 2 },
      'not an opsdeck backup sidecar (version: Invalid input: expected 1)',
    ],
    [
      'a missing key',
      { ...pgMeta, host: undefined },
      'not an opsdeck backup sidecar (host: Invalid input: expected string, received undefined)',
    ],
    [
      'a wrong type',
      { ...pgMeta, size: '1234' },
      'not an opsdeck backup sidecar (size: Invalid input: expected number, received string)',
    ],
    [
      'a bad checksum',
      { ...pgMeta, sha256: 'xyz' },
      'not an opsdeck backup sidecar (sha256: Invalid string: must match pattern /^[0-9a-f]{64}$/)',
    ],
    [
      'an unknown kind',
      { ...pgMeta, kind: 'incremental' },
      'not an opsdeck backup sidecar (kind: Invalid option: expected one of "full"|"data"|"files")',
    ],
    [
      'an unknown source type',
      { ...pgMeta, source: { type: 'mysql', name: 'x' } },
      "not an opsdeck backup sidecar (source.type: Invalid discriminator value. Expected 'postgres' | 'files')",
    ],
    [
      'a bad check',
      { ...pgMeta, verify: { ...verify, checks: [{ name: 'crc', ok: true, detail: '' }] } },
      'not an opsdeck backup sidecar (verify.checks.0.name: Invalid option: ' +
        'expected one of "sha256"|"size"|"gzip"|"marker"|"pg_restore"|"tar")',
    ],
    ['a list', [], 'not an opsdeck backup sidecar (: Invalid input: expected object, received array)'],
  ])('%s', async (_name, data, expected) => {
    expect(await reason(data)).toBe(expected);
  });
});
