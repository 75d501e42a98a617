// Before a backup starts: will it fit? The expected size is the source size times the
// compression ratio the last verified backup of the same source, kind and format achieved (or a
// conservative default), plus a margin. Refusing up front beats filling the disk that the
// database itself may live on.
import { statfs } from 'node:fs/promises';
import type { CatalogEntry } from './catalog.js';
import { BackupError, type BackupFormat, type BackupKind } from './types.js';
import { bytes as formatBytes } from '../present/format.js';

/**
 * Compressed size / source size assumed without history: a text dump is rarely larger than half the database,
 * gzip does the rest.
 */
export const DEFAULT_RATIO: Record<BackupFormat, number> = { plain: 0.5, custom: 0.5, tar: 1, file: 1 };
/** Head-room over the estimate: backups grow, and the sidecar and filesystem need some too. */
export const MARGIN = 0.1;

export interface SizeEstimate {
  bytes: number;
  /** How it was estimated, for the refusal message. */
  basis: string;
}

/** The ratio of a past backup: its size over the source size recorded with it, or undefined. */
function ratioOf(e: CatalogEntry): number | undefined {
  const src = e.meta?.format === 'tar' ? e.meta.uncompressedSize : e.meta?.databaseSize;
  return src && src > 0 ? e.size / src : undefined;
}

/** Estimates the size of the next backup of a source from its size and earlier backups (newest first). */
export function estimateSize(
  sourceBytes: number,
  kind: BackupKind,
  format: BackupFormat,
  history: readonly CatalogEntry[],
): SizeEstimate {
  const last = history.find((e) => e.verified && e.kind === kind && e.format === format && ratioOf(e) !== undefined);
  const ratio = last ? ratioOf(last)! : DEFAULT_RATIO[format];
  const bytes = Math.ceil(sourceBytes * ratio * (1 + MARGIN));
  const why = last
    ? `ratio ${ratio.toFixed(3)} of the last backup ${last.file}`
    : `default ratio ${ratio} (no earlier backup to learn from)`;
  return { bytes, basis: `source ${formatBytes(sourceBytes)} × ${why}, +${MARGIN * 100} % margin` };
}

/** Bytes an unprivileged writer may still use on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Throws BackupError('no_space') saying how much is missing when `dir` cannot hold `need`. */
export async function ensureSpace(dir: string, need: SizeEstimate, what: string): Promise<{ free: number }> {
  const free = await freeBytes(dir);
  if (free < need.bytes) {
    const shortfall = `${formatBytes(free)} free — ${formatBytes(need.bytes - free)} missing (${need.basis})`;
    throw new BackupError(
      'no_space',
      `not enough space for ${what} in ${dir}: needs about ${formatBytes(need.bytes)}, ${shortfall}`,
    );
  }
  return { free };
}
