// Re-verifying a published backup, any time later (`opsdeck verify FILE`, the Backups view's key,
// the monthly restore test's first step): the checksum against the sidecar, full decompression,
// the dump's completion marker or a full pg_restore read, the tar entry count. The result is
// written back to the sidecar, so the catalog and the backup-age probe stop trusting a backup
// that no longer verifies.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseBackupFileName } from './naming.js';
import { findPgTool } from './pg-tools.js';
import { readSidecar, recordVerify, type Sidecar } from './sidecar.js';
import { BackupError, verifyResult, type BackupFormat, type VerifyCheck, type VerifyResult } from './types.js';
import { checkCustom, checkPlainGz, compareTarEntries, hashFile, listTarGz, shaCheck } from './verify-checks.js';

export interface VerifyOptions {
  signal?: AbortSignal;
  /** Custom format: also read every data block (pg_restore to /dev/null). Default true. */
  deep?: boolean;
  /** Write the result into the sidecar as lastVerify. Default true. */
  record?: boolean;
  pgRestore?: string;
}

export interface VerifyReport extends VerifyResult {
  file: string;
  /** Whether the result was written to the sidecar. */
  recorded: boolean;
  /** Why the sidecar could not be used, if it could not. */
  sidecarProblem?: string;
  /** Another tool's backup: the facts file the result was recorded in instead of a sidecar. */
  recordedIn?: string;
}

/**
 * Re-verifies a backup file; resolves with every check (never rejects for a bad backup, only for a missing file or
 * a cancel).
 */
export async function verifyBackup(file: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const signal = opts.signal ?? new AbortController().signal;
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new BackupError('source', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (!st.isFile()) throw new BackupError('source', `${file}: not a regular file`);
  let meta: Sidecar | undefined;
  let sidecarProblem: string | undefined;
  try {
    meta = await readSidecar(file);
  } catch (err) {
    sidecarProblem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no sidecar' : (err as Error).message;
  }
  const format: BackupFormat | undefined =
    meta?.format ?? parseBackupFileName(path.basename(file))?.format ?? guessFormat(file);
  if (!format) throw new BackupError('source', `${file}: not a backup file opsdeck knows (.sql.gz, .dump or .tar.gz)`);

  const checks: VerifyCheck[] = [];
  if (meta) {
    checks.push(
      meta.size === st.size
        ? { name: 'size', ok: true, detail: `${st.size} bytes as recorded` }
        : { name: 'size', ok: false, detail: `${st.size} bytes, the sidecar says ${meta.size}` },
    );
  } else {
    checks.push({
      name: 'sha256',
      ok: false,
      detail: `${sidecarProblem ?? 'no sidecar'}: no recorded checksum to compare with`,
    });
  }
  const expected = meta?.sha256;
  if (format === 'plain') {
    checks.push(...(await checkPlainGz(file, expected, signal)));
  } else if (format === 'custom') {
    checks.push(shaCheck((await hashFile(file, signal)).sha256, expected));
    checks.push(...(await checkCustom(file, opts.pgRestore ?? findPgTool('pg_restore'), opts.deep !== false, signal)));
  } else {
    const back = await listTarGz(file, signal);
    checks.push(
      back.error === undefined
        ? { name: 'gzip', ok: true, detail: 'decompresses completely' }
        : { name: 'gzip', ok: false, detail: `does not read: ${back.error}` },
    );
    if (meta?.entries !== undefined) checks.push(compareTarEntries(back.entries, meta.entries));
    checks.push(shaCheck(back.sha256, expected));
  }
  // Without a sidecar only the format checks ran; keep the row that says why it cannot count as verified.
  const result = verifyResult(meta ? checks : checks.filter((c, i) => i === 0 || c.name !== 'sha256'));
  let recorded = false;
  if (meta && opts.record !== false) {
    await recordVerify(file, result);
    recorded = true;
  }
  return { ...result, file, recorded, ...(sidecarProblem !== undefined ? { sidecarProblem } : {}) };
}

function guessFormat(file: string): BackupFormat | undefined {
  if (file.endsWith('.sql.gz')) return 'plain';
  if (file.endsWith('.dump')) return 'custom';
  if (file.endsWith('.tar.gz') || file.endsWith('.tgz')) return 'tar';
  return undefined;
}
