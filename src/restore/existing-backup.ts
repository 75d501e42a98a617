// Preflight's backup check for a backup another tool wrote (`backups.existing`, no sidecar): the
// file proves itself in one pass (sha256, full decompression, completion marker / pg_restore read)
// and the same pass counts the rows of every table in its COPY stream — what the restore's
// verification compares the restored tables with. Both are kept in opsdeck's facts store, so a
// second drill of the same unchanged file (same size, mtime, inode) reads it no more. Nothing was
// recorded at backup time, and the check says so in words.
import type pg from 'pg';
import type { CatalogEntry } from '../backup/catalog.js';
import { factFor, recordFact, type StreamCount } from '../backup/existing-facts.js';
import { NO_RECORDED_CHECKSUM, streamCountsOf, verifyAndCount } from '../backup/existing-verify.js';
import { identityOf } from '../backup/existing-facts.js';
import type { BackupFacts, Check } from './types.js';

export interface ExistingBackupCheck {
  check: Check;
  facts: BackupFacts;
  /** Rows per table counted from the stream (raw names); quoteCounts turns them into the server's keys. */
  counts?: StreamCount[];
}

/** Verifies (or reuses the cached deep verification of) an existing backup and counts its rows. */
export async function checkExistingBackup(
  entry: CatalogEntry,
  factsFile: string,
  signal: AbortSignal,
): Promise<ExistingBackupCheck> {
  const name = entry.file;
  const identity = await identityOf(entry.path);
  const facts: BackupFacts = {
    path: entry.path,
    format: entry.format,
    kind: entry.kind,
    size: identity.size,
    ...(entry.source.type === 'postgres' ? { sourceDb: entry.source.name } : {}),
    takenAt: new Date(entry.time).toISOString(),
  };
  if (entry.format !== 'plain' && entry.format !== 'custom')
    return { facts, check: { id: 'backup', title: 'backup file', status: 'pass', detail: `${name}: not a dump` } };
  const cached = await factFor(factsFile, entry.path, identity).catch(() => undefined);
  if (cached?.verify?.ok && cached.rowCounts) {
    return {
      facts,
      counts: cached.rowCounts.tables,
      check: {
        id: 'backup',
        title: 'backup file',
        status: 'pass',
        detail:
          `${name}: written by another tool, ${NO_RECORDED_CHECKSUM}; read completely and verified ` +
          `${cached.verify.at.slice(0, 16).replace('T', ' ')}, unchanged since (size, mtime, inode)`,
        lines: cached.verify.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
      },
    };
  }
  const r = await verifyAndCount(entry.path, entry.format, { signal });
  const counts = r.ok && r.counts ? streamCountsOf(r.counts) : undefined;
  await recordFact(factsFile, entry.path, r.identity, entry.format, {
    verify: { ok: r.ok, at: r.at, checks: r.checks, message: r.message },
    ...(r.sha256 ? { sha256: r.sha256 } : {}),
    ...(counts ? { rowCounts: { tables: counts, at: r.at } } : {}),
  }).catch(() => undefined);
  return {
    facts,
    ...(counts ? { counts } : {}),
    check: {
      id: 'backup',
      title: 'backup file',
      status: r.ok ? 'pass' : 'fail',
      detail: r.ok
        ? `${name}: written by another tool, ${NO_RECORDED_CHECKSUM}; read completely instead: verified ` +
          `(${r.checks.map((c) => c.name).join(', ')}), rows counted from the dump stream`
        : `${name} does not verify: ${r.message}`,
      lines: r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    },
  };
}

/** The stream's counts keyed as the restored database names its tables (`format('%I.%I')`, asked of the server). */
export async function quoteCounts(c: pg.Client, counts: readonly StreamCount[]): Promise<Record<string, number>> {
  if (counts.length === 0) return {};
  const r = await c.query<{ name: string }>(
    `SELECT format('%I.%I', s, t) AS name FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(s, t, i) ORDER BY i`,
    [counts.map((x) => x.schema), counts.map((x) => x.table)],
  );
  const out: Record<string, number> = {};
  r.rows.forEach((row, i) => (out[row.name] = counts[i]!.rows));
  return out;
}
