// The catalog: what is in the backup directory, read from the sidecars. A backup file without a
// sidecar (an interrupted publish, or a file dropped in by hand) is listed but never counted as
// verified; temp files of running or abandoned backups are listed separately. Backups another
// tool writes (`backups.existing`, existing.ts) are listed beside them with origin 'existing'.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { scanExisting, type ExistingDir, type FileIdentity } from './existing.js';
import { applyFacts } from './existing-facts.js';
import { isAlive } from './pid.js';
import type { OffsiteInfo } from './offsite-state.js';
import { parseBackupFileName, partialPid, PARTIAL_SUFFIX, SIDECAR_SUFFIX, sourceDir, sourceOfDir } from './naming.js';
import { readSidecar, type Sidecar } from './sidecar.js';
import { sourceKey, type BackupFormat, type BackupKind, type BackupSource, type VerifyResult } from './types.js';
import { compareText } from '../util/text.js';

/** Which of the recognised layouts of another tool's directory an existing backup is in (existing.ts). */
export type ExistingLayout = 'itsm' | 'knowledge' | 'generic';

/** Where an existing backup came from. */
export interface ExistingInfo {
  /** The configured directory (backups.existing[].dir). */
  dir: string;
  /** Its label (backups.existing[].name, else the database). */
  name: string;
  layout: ExistingLayout;
  /** Whether `time` is the stamp in the name or, for a name without one, the file's mtime. */
  timeFrom: 'name' | 'mtime';
  /** The file as it was when listed: what opsdeck learned about it holds only while this stays the same. */
  identity?: FileIdentity;
  /** The sha256 opsdeck computed when it verified the file (nothing was recorded at backup time). */
  sha256?: string;
}

export interface CatalogEntry {
  /** opsdeck's own backup (under backups.dir), or one another tool wrote (backups.existing): never touched. */
  origin: 'opsdeck' | 'existing';
  /** Only for origin 'existing'. */
  existing?: ExistingInfo;
  path: string;
  file: string;
  source: BackupSource;
  /** `db` or `files:name` (see sourceKey). */
  sourceKey: string;
  kind: BackupKind;
  format: BackupFormat;
  /** When the backup started (ms since epoch): from the sidecar, else the file name, else mtime. */
  time: number;
  size: number;
  /** True when the sidecar exists and its latest verification passed. */
  verified: boolean;
  lastVerify?: VerifyResult;
  meta?: Sidecar;
  /** Why the entry is not trustworthy, e.g. "no sidecar". */
  problem?: string;
  /** Its off-host copy (backups.offsite; set by withOffsite in offsite.ts). */
  offsite?: OffsiteInfo;
}

/** A temp file of a backup in progress or abandoned by a killed one. */
export interface PartialFile {
  path: string;
  pid?: number;
  /** Whether the writer is still running (then it must not be touched). */
  alive: boolean;
  size: number;
  mtime: number;
}

export interface Catalog {
  root: string;
  /** Newest first. */
  entries: CatalogEntry[];
  partials: PartialFile[];
  /** Things an operator should know about (unreadable sidecars, sidecars without a file). */
  problems: string[];
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw err;
  }
}

/** Reads one source directory (see sourceDir) into `catalog`. */
async function scanDir(dir: string, source: BackupSource, catalog: Catalog): Promise<void> {
  const names = await listDir(dir);
  const present = new Set(names);
  for (const name of names) {
    const full = path.join(dir, name);
    if (name.startsWith('.') && name.endsWith(PARTIAL_SUFFIX)) {
      const st = await stat(full).catch(() => undefined);
      if (!st) continue;
      const pid = partialPid(name);
      catalog.partials.push({
        path: full,
        ...(pid !== undefined ? { pid } : {}),
        alive: pid !== undefined && isAlive(pid),
        size: st.size,
        mtime: st.mtimeMs,
      });
      continue;
    }
    if (name.endsWith(SIDECAR_SUFFIX)) {
      if (!present.has(name.slice(0, -SIDECAR_SUFFIX.length)))
        catalog.problems.push(`${full}: sidecar without its backup file`);
      continue;
    }
    const parsed = parseBackupFileName(name);
    if (!parsed) continue;
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    const base = {
      origin: 'opsdeck' as const,
      path: full,
      file: name,
      source,
      sourceKey: sourceKey(source),
      kind: parsed.kind,
      format: parsed.format,
      size: st.size,
    };
    if (!present.has(name + SIDECAR_SUFFIX)) {
      catalog.entries.push({
        ...base,
        time: parsed.at.getTime(),
        verified: false,
        problem: 'no sidecar (interrupted or not made by opsdeck): not verified',
      });
      continue;
    }
    try {
      const meta = await readSidecar(full);
      const sizeOk = meta.size === st.size;
      catalog.entries.push({
        ...base,
        kind: meta.kind,
        format: meta.format,
        time: Date.parse(meta.startedAt),
        verified: meta.lastVerify.ok && sizeOk,
        lastVerify: meta.lastVerify,
        meta,
        ...(sizeOk ? {} : { problem: `size is ${st.size} bytes, the sidecar says ${meta.size}: the file changed` }),
      });
    } catch (err) {
      catalog.entries.push({
        ...base,
        time: parsed.at.getTime(),
        verified: false,
        problem: `sidecar unreadable: ${(err as Error).message}`,
      });
    }
  }
}

/** What else a catalog lists besides the backup root. */
export interface ScanOptions {
  /** Directories of another tool's backups (backups.existing); listed only, never written to. */
  existing?: readonly ExistingDir[];
  /**
   * opsdeck's facts about them (existing-facts.ts, `<stateDir>/existing-backups.json`): a verified one counts as
   * verified, a corrupt one is flagged; facts of files gone or changed are forgotten (on a scan of every source).
   */
  facts?: string;
}

/**
 * Scans the backup root (`<root>/postgres/<db>/`, `<root>/files/<name>/`); a missing root is an empty catalog.
 * With `opts.existing`, another tool's backups are listed too (origin 'existing'); callers that act
 * on the catalog (prune, backup history, the age probe) do not pass it.
 */
export async function scanCatalog(root: string, only?: BackupSource, opts: ScanOptions = {}): Promise<Catalog> {
  const catalog: Catalog = { root, entries: [], partials: [], problems: [] };
  if (only) {
    await scanDir(sourceDir(root, only), only, catalog);
  } else {
    for (const type of ['postgres', 'files']) {
      for (const seg of await listDir(path.join(root, type))) {
        const dir = path.join(root, type, seg);
        const source = sourceOfDir(root, dir);
        if (source) await scanDir(dir, source, catalog);
      }
    }
  }
  if (opts.existing && opts.existing.length > 0) {
    const found = await scanExisting(opts.existing);
    const wanted = only ? found.entries.filter((e) => e.sourceKey === sourceKey(only)) : found.entries;
    if (opts.facts) await applyFacts(opts.facts, found.entries, !only, catalog.problems);
    catalog.entries.push(...wanted);
    catalog.problems.push(...found.problems);
  }
  catalog.entries.sort((a, b) => b.time - a.time || compareText(b.file, a.file));
  return catalog;
}

/** The newest verified entry per source key. */
export function newestVerified(entries: readonly CatalogEntry[]): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  for (const e of entries) {
    const cur = out.get(e.sourceKey);
    if (e.verified && (!cur || e.time > cur.time)) out.set(e.sourceKey, e);
  }
  return out;
}
