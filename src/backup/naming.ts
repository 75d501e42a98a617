// File names and layout of the backup directory. Names follow the manuals
// (`full_backup_YYYYMMDD_HHMMSS.sql.gz`, `diff_backup_…`, `data_YYYYMMDD_HHMMSS.tar.gz`) so an
// operator who knows the old scripts recognises them; each source gets its own subdirectory
// (`postgres/<db>/`, `files/<name>/`) because the manual's names do not carry the database name.
import path from 'node:path';
import type { BackupFormat, BackupKind, BackupSource } from './types.js';

/** Local time as YYYYMMDD_HHMMSS, as `date +%Y%m%d_%H%M%S` prints it. */
export function stamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const day = `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}`;
  const time = `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `${day}_${time}`;
}

/** The local time a stamp stands for, or undefined when it is not one. */
export function parseStamp(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, se);
  return date.getMonth() === mo - 1 && date.getDate() === d ? date : undefined;
}

/** The file name of a new backup; `n` > 1 disambiguates two backups in the same second. */
export function backupFileName(source: BackupSource, kind: BackupKind, format: BackupFormat, at: Date, n = 1): string {
  const suffix = n > 1 ? `_${n}` : '';
  if (source.type === 'files') return `${source.name}_${stamp(at)}${suffix}.tar.gz`;
  const prefix = kind === 'full' ? 'full_backup' : 'diff_backup';
  return `${prefix}_${stamp(at)}${suffix}${format === 'custom' ? '.dump' : '.sql.gz'}`;
}

/** What a backup file name says about itself (used for files that lost their sidecar). */
export interface ParsedName {
  kind: BackupKind;
  format: BackupFormat;
  at: Date;
  /** For tar names: the file set name. */
  setName?: string;
}

/** Parses a name made by backupFileName, or undefined. */
export function parseBackupFileName(name: string): ParsedName | undefined {
  const pg = /^(full|diff)_backup_(\d{8}_\d{6})(?:_\d+)?\.(sql\.gz|dump)$/.exec(name);
  if (pg) {
    const at = parseStamp(pg[2]!);
    return at && { kind: pg[1] === 'full' ? 'full' : 'data', format: pg[3] === 'dump' ? 'custom' : 'plain', at };
  }
  const tar = /^([A-Za-z0-9_.-]+)_(\d{8}_\d{6})(?:_\d+)?\.tar\.gz$/.exec(name);
  if (tar) {
    const at = parseStamp(tar[2]!);
    return at && { kind: 'files', format: 'tar', at, setName: tar[1]! };
  }
  return undefined;
}

// A database may be called anything, including "..", "a/b" or a name with spaces; the directory
// name must be one safe path segment that maps back to exactly one database.
function segment(name: string): string {
  const enc = encodeURIComponent(name).replace(/\*/g, '%2A');
  return enc.startsWith('.') ? `%2E${enc.slice(1)}` : enc;
}

/** The directory holding one source's backups under the backup root. */
export function sourceDir(root: string, source: BackupSource): string {
  return path.join(root, source.type === 'postgres' ? 'postgres' : 'files', segment(source.name));
}

/** The source a directory under the root belongs to (the inverse of sourceDir), or undefined. */
export function sourceOfDir(root: string, dir: string): BackupSource | undefined {
  const rel = path.relative(root, dir).split(path.sep);
  if (rel.length !== 2) return undefined;
  const [type, seg] = rel as [string, string];
  let name: string;
  try {
    name = decodeURIComponent(seg);
  } catch {
    return undefined;
  }
  if (type === 'postgres') return { type: 'postgres', name };
  if (type === 'files') return { type: 'files', name };
  return undefined;
}

/**
 * Subdirectory of the backup root that holds the safety dumps a restore takes before it drops a
 * database (named after the manual's before_restore_*.sql). Laid out like a backup root of its
 * own (`before-restore/postgres/<db>/full_backup_….sql.gz`), so the catalog of the backup root
 * never lists them and they never pass for the newest backup of a source; prune keeps them by
 * their own rule (retention.ts, planSafetyPrune).
 */
export const SAFETY_DIR = 'before-restore';

/** The safety-dump root for a backup root. */
export function safetyRootFor(backupRoot: string): string {
  return path.join(backupRoot, SAFETY_DIR);
}

export const SIDECAR_SUFFIX = '.json';
export const PARTIAL_SUFFIX = '.partial';

/** The sidecar (metadata) file of a backup file. */
export function sidecarPath(file: string): string {
  return `${file}${SIDECAR_SUFFIX}`;
}

/**
 * A temp name in the same directory: hidden (leading dot), ending in `.partial`, carrying the
 * writer's pid so a later prune can tell an abandoned one (pid gone) from a running backup.
 */
export function partialPath(finalPath: string, pid = process.pid): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${pid}${PARTIAL_SUFFIX}`);
}

/** The writer pid of a partial file name, or undefined when it is not one. */
export function partialPid(name: string): number | undefined {
  const m = /^\..+\.(\d+)\.partial$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
