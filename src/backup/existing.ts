// Backups another tool writes (`backups.existing`): the manuals' cron scripts keep their own
// directories and their own retention, so this module only READS them — readdir, stat and, for a
// custom dump, its first five bytes. Nothing here opens a file for writing, and prune never sees
// these entries (prune.ts drops origin 'existing' before planning).
//
// Layouts recognised (the time comes from the name, the file's mtime only when the name has none):
//   itsm       <dir>/full_backup_YYYYMMDD_HHMMSS.sql.gz, diff_backup_… (ITSM backup-db.sh)
//   knowledge  <dir>/{daily,weekly,monthly,manual}/YYYYMMDD/database_TS.sql.gz, data_TS.tar.gz,
//              env.production_TS, letsencrypt_TS.tar.gz (knowledge backup.sh, TS = %Y%m%d_%H%M%S)
//   generic    any other .sql / .sql.gz, .dump / .backup (PGDMP magic), .tar.gz / .tgz, flat in <dir>
//              or in a knowledge day directory
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogEntry, ExistingLayout } from './catalog.js';
import { parseStamp } from './naming.js';
import type { BackupFormat, BackupKind, BackupSource } from './types.js';
import { sourceKey } from './types.js';

/** One configured directory of another tool's backups. */
export interface ExistingDir {
  dir: string;
  /** The database its dumps are of (the manuals' names do not carry it). */
  database: string;
  /** A label for listings; the database when absent. */
  name?: string;
}

/** Which file a fact is about: it holds only while size, mtime and inode stay the same. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Why an existing backup is not trusted yet: it has no sidecar, and verifying it is a later step. */
export const EXISTING_PROBLEM = 'not verified yet (no sidecar: written by another tool)';

/** The knowledge manual's backup types, each `<type>/YYYYMMDD/`. */
const KNOWLEDGE_TYPES = ['daily', 'weekly', 'monthly', 'manual'];

interface Recognised {
  layout: ExistingLayout;
  kind: BackupKind;
  format: BackupFormat;
  /** The file set for kind 'files' (source `files:<set>`). */
  set?: string;
  /** From the name, when it carries a stamp. */
  at?: Date;
  /** A .dump/.backup must start with PGDMP to be a custom dump. */
  needsMagic?: boolean;
}

const STAMP = /(?<!\d)(\d{8})[_T-]?(\d{6})(?!\d)/;
const DAY = /(?<!\d)(\d{8})(?!\d)/;

/** The time a generic name carries: YYYYMMDD[_-T]HHMMSS, else YYYYMMDD (local midnight); undefined when none. */
function stampIn(name: string): Date | undefined {
  const m = STAMP.exec(name);
  const at = m && parseStamp(`${m[1]}_${m[2]}`);
  if (at) return at;
  const d = DAY.exec(name);
  return d ? parseStamp(`${d[1]}_000000`) : undefined;
}

/** What a file name is, in a directory of `context` (flat in the dir, or a knowledge day directory). */
export function recogniseExisting(name: string, context: 'flat' | 'knowledge'): Recognised | undefined {
  const itsm = /^(full|diff)_backup_(\d{8}_\d{6})\.sql\.gz$/.exec(name);
  if (itsm && context === 'flat') {
    const at = parseStamp(itsm[2]!);
    if (at) return { layout: 'itsm', kind: itsm[1] === 'full' ? 'full' : 'data', format: 'plain', at };
  }
  if (context === 'knowledge') {
    const k = /^(database|data|letsencrypt)_(\d{8}_\d{6})\.(sql\.gz|tar\.gz)$/.exec(name);
    const at = k && parseStamp(k[2]!);
    if (k && at && (k[1] === 'database') === (k[3] === 'sql.gz')) {
      if (k[1] === 'database') return { layout: 'knowledge', kind: 'full', format: 'plain', at };
      return { layout: 'knowledge', kind: 'files', format: 'tar', set: k[1]!, at };
    }
    // `cp .env.production env.production_TS`: one file, kept as it was (format 'file').
    const env = /^env\.production_(\d{8}_\d{6})$/.exec(name);
    const envAt = env && parseStamp(env[1]!);
    if (envAt) return { layout: 'knowledge', kind: 'files', format: 'file', set: 'env.production', at: envAt };
  }
  const at = stampIn(name);
  const base = { layout: 'generic' as const, ...(at ? { at } : {}) };
  if (/\.sql(\.gz)?$/.test(name)) return { ...base, kind: /^diff_/.test(name) ? 'data' : 'full', format: 'plain' };
  if (/\.(dump|backup)$/.test(name)) return { ...base, kind: 'full', format: 'custom', needsMagic: true };
  const tar = /^(.*?)(?:[_-]?\d{8}(?:[_T-]?\d{6})?)?\.(tar\.gz|tgz)$/.exec(name);
  if (tar) return { ...base, kind: 'files', format: 'tar', set: tar[1] || 'files' };
  return undefined;
}

async function hasPgdmpMagic(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(5);
    const { bytesRead } = await fh.read(buf, 0, 5, 0);
    return bytesRead === 5 && buf.toString('latin1') === 'PGDMP';
  } finally {
    await fh.close();
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

async function entriesIn(
  dir: string,
  context: 'flat' | 'knowledge',
  ex: ExistingDir,
  out: CatalogEntry[],
  problems: string[],
): Promise<void> {
  for (const name of await listDir(dir)) {
    if (name.startsWith('.')) continue; // another tool's temp files are its business
    const r = recogniseExisting(name, context);
    if (!r) continue;
    const full = path.join(dir, name);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (r.needsMagic && !(await hasPgdmpMagic(full).catch(() => false))) {
      problems.push(`${full}: named like a custom dump but does not start with PGDMP: not listed`);
      continue;
    }
    const source: BackupSource =
      r.kind === 'files' ? { type: 'files', name: r.set! } : { type: 'postgres', name: ex.database };
    out.push({
      path: full,
      file: name,
      source,
      sourceKey: sourceKey(source),
      kind: r.kind,
      format: r.format,
      time: (r.at ?? new Date(st.mtimeMs)).getTime(),
      size: st.size,
      verified: false,
      problem: EXISTING_PROBLEM,
      origin: 'existing',
      existing: {
        dir: ex.dir,
        name: ex.name ?? ex.database,
        layout: r.layout,
        timeFrom: r.at ? 'name' : 'mtime',
        identity: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino },
      },
    });
  }
}

/**
 * The backups in the configured existing directories. A missing directory is listed as a problem,
 * not an error: another tool's directory may not exist yet (first cron run) or be unmounted.
 */
export async function scanExisting(
  dirs: readonly ExistingDir[],
): Promise<{ entries: CatalogEntry[]; problems: string[] }> {
  const entries: CatalogEntry[] = [];
  const problems: string[] = [];
  for (const ex of dirs) {
    const st = await stat(ex.dir).catch(() => undefined);
    if (!st?.isDirectory()) {
      problems.push(`${ex.dir}: existing backup directory not found`);
      continue;
    }
    try {
      await entriesIn(ex.dir, 'flat', ex, entries, problems);
      for (const type of KNOWLEDGE_TYPES) {
        for (const day of await listDir(path.join(ex.dir, type))) {
          if (!parseStamp(`${day}_000000`)) continue; // only the script's YYYYMMDD directories
          await entriesIn(path.join(ex.dir, type, day), 'knowledge', ex, entries, problems);
        }
      }
    } catch (err) {
      problems.push(`${ex.dir}: ${(err as Error).message}`);
    }
  }
  return { entries, problems };
}

/**
 * The catalog entry of `file` when it is a backup in one of the existing directories (as the scan would list it),
 * undefined otherwise. Reads only.
 */
export async function findExisting(file: string, dirs: readonly ExistingDir[]): Promise<CatalogEntry | undefined> {
  const abs = path.resolve(file);
  for (const ex of dirs) {
    const rel = path.relative(path.resolve(ex.dir), abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const parts = rel.split(path.sep);
    const flat = parts.length === 1;
    const knowledge = parts.length === 3 && KNOWLEDGE_TYPES.includes(parts[0]!) && !!parseStamp(`${parts[1]}_000000`);
    if (!flat && !knowledge) continue;
    const out: CatalogEntry[] = [];
    await entriesIn(path.dirname(abs), flat ? 'flat' : 'knowledge', ex, out, []);
    const hit = out.find((e) => e.path === abs);
    if (hit) return hit;
  }
  return undefined;
}
