// Carrying out retention: which files a prune removes (backups the policy lets go, temp files of
// backups that were killed), and removing them — only ever inside the backup root, only files
// named like backups, the sidecar first so an interrupted prune leaves an unverified leftover for
// the next prune rather than a catalog entry pointing at nothing. Safety dumps of restores
// (`<root>/before-restore/`) are pruned by their own rule (retention.ts, planSafetyPrune), and one
// made less than 24 h ago is never deleted: checked when planning and again just before deleting.
// Backups of another tool (origin 'existing') are never planned nor deleted.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, removeQuietly } from './atomic.js';
import type { Catalog, CatalogEntry, PartialFile } from './catalog.js';
import { parseBackupFileName, partialPid, sidecarPath } from './naming.js';
import {
  planPrune,
  planSafetyPrune,
  SAFETY_MIN_AGE_MS,
  type PruneDecision,
  type RetentionPolicy,
} from './retention.js';
import { BackupError } from './types.js';
import { bytes, localMinute } from '../present/format.js';

/** A temp file is abandoned when its writer is gone and it has not been written for this long. */
export const STALE_PARTIAL_MS = 3_600_000;

export interface PruneReport {
  decisions: PruneDecision<CatalogEntry>[];
  /** Safety dumps of restores (the catalog of the safety root), [] when none was given. */
  safety: PruneDecision<CatalogEntry>[];
  /** The safety root the safety decisions are about. */
  safetyRoot?: string;
  /** Temp files of backups (and safety dumps) that were killed (writer gone, untouched for an hour). */
  stalePartials: PartialFile[];
  /** Bytes the deletions free. */
  freedBytes: number;
}

/**
 * What a prune would do to `catalog` (and the safety dumps in `safety`, see safetyRootFor) under `policy` at `now`.
 * Pure.
 */
export function pruneReport(catalog: Catalog, policy: RetentionPolicy, now: number, safety?: Catalog): PruneReport {
  // Another tool's backups (backups.existing) belong to that tool's retention: never planned, never deleted.
  const decisions = planPrune(
    catalog.entries.filter((e) => e.origin !== 'existing'),
    policy,
    now,
  );
  const safetyDecisions = safety
    ? planSafetyPrune(
        safety.entries.filter((e) => e.origin !== 'existing'),
        policy,
        now,
      )
    : [];
  // A pid can be alive in another pid namespace (a container) that we cannot see: the age rule guards that case.
  const stalePartials = [...catalog.partials, ...(safety?.partials ?? [])].filter(
    (p) => !p.alive && now - p.mtime > STALE_PARTIAL_MS,
  );
  const deleted = [...decisions, ...safetyDecisions].filter((d) => d.action === 'delete');
  const freedBytes = deleted.reduce((n, d) => n + d.entry.size, 0) + stalePartials.reduce((n, p) => n + p.size, 0);
  return {
    decisions,
    safety: safetyDecisions,
    ...(safety ? { safetyRoot: safety.root } : {}),
    stalePartials,
    freedBytes,
  };
}

/** Printable lines for `prune --dry-run`: one per backup (keep/delete and why), then stale temp files. */
export function formatPruneReport(report: PruneReport, now: number): string[] {
  const lines: string[] = [];
  const decisionLine = (d: PruneDecision<CatalogEntry>): string => {
    const when = localMinute(d.entry.time);
    const action = d.action === 'delete' ? 'DELETE' : 'keep  ';
    return `${action}  ${d.entry.sourceKey}  ${d.entry.file}  (${when}, ${bytes(d.entry.size)})  ${d.reason}`;
  };
  for (const d of report.decisions) lines.push(decisionLine(d));
  if (report.safety.length > 0)
    lines.push(`Safety dumps of restores${report.safetyRoot ? ` (${report.safetyRoot})` : ''}:`);
  for (const d of report.safety) lines.push(decisionLine(d));
  for (const p of report.stalePartials) {
    const hours = Math.round((now - p.mtime) / 3_600_000);
    const why = `temp file of an interrupted backup (writer pid ${p.pid ?? '?'} gone, untouched for ${hours} h)`;
    lines.push(`DELETE  ${p.path}  (${bytes(p.size)})  ${why}`);
  }
  const n =
    [...report.decisions, ...report.safety].filter((d) => d.action === 'delete').length + report.stalePartials.length;
  lines.push(
    n === 0 ? 'Nothing to delete.' : `${n} file${n === 1 ? '' : 's'} to delete, ${bytes(report.freedBytes)} freed.`,
  );
  return lines;
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Deletes one backup and its sidecar. Refuses anything outside `root` or not named like a backup. */
export async function deleteBackup(
  root: string,
  entry: Pick<CatalogEntry, 'path' | 'file'> & Partial<Pick<CatalogEntry, 'origin'>>,
): Promise<void> {
  if (entry.origin === 'existing')
    throw new BackupError('config', `refusing to delete ${entry.path}: written by another tool (backups.existing)`);
  if (!inside(root, entry.path) || !parseBackupFileName(path.basename(entry.path))) {
    throw new BackupError('config', `refusing to delete ${entry.path}: not a backup file inside ${root}`);
  }
  for (const f of [sidecarPath(entry.path), entry.path]) {
    const err = await removeQuietly(f);
    if (err) throw new BackupError('io', `cannot delete ${f}: ${err.message}`);
  }
  await fsyncDir(path.dirname(entry.path)).catch(() => undefined);
}

/**
 * Deletes one safety dump and its sidecar, after checking again that it is not one made in the
 * last 24 h (by its start time and by the file's mtime): a rollback may still need it.
 */
export async function deleteSafetyDump(
  safetyRoot: string,
  entry: Pick<CatalogEntry, 'path' | 'file' | 'time'>,
  now: () => number = Date.now,
): Promise<void> {
  const st = await stat(entry.path).catch(() => undefined);
  const made = Math.max(entry.time, st?.mtimeMs ?? 0);
  if (now() - made < SAFETY_MIN_AGE_MS)
    throw new BackupError(
      'config',
      `not deleting ${entry.path}: a safety dump made less than 24 h ago (a rollback may still need it)`,
    );
  await deleteBackup(safetyRoot, entry);
}

/** Deletes an abandoned temp file after checking again that its writer is still gone. */
export async function deletePartial(root: string, p: PartialFile, isAlive: (pid: number) => boolean): Promise<void> {
  const pid = partialPid(path.basename(p.path));
  if (!inside(root, p.path) || pid === undefined)
    throw new BackupError('config', `refusing to delete ${p.path}: not a backup temp file inside ${root}`);
  if (isAlive(pid)) throw new BackupError('config', `not deleting ${p.path}: its writer (pid ${pid}) is running again`);
  const st = await stat(p.path).catch(() => undefined);
  if (st && Date.now() - st.mtimeMs <= STALE_PARTIAL_MS)
    throw new BackupError('config', `not deleting ${p.path}: it was written to recently`);
  const err = await removeQuietly(p.path);
  if (err) throw new BackupError('io', `cannot delete ${p.path}: ${err.message}`);
}
