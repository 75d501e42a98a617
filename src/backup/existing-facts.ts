// What opsdeck learned about backups another tool wrote (`backups.existing`), kept in opsdeck's
// OWN state directory (`<stateDir>/existing-backups.json`), never beside the files: the other
// tool's directory is only ever read. One fact per file, keyed by its absolute path and valid only
// while the file keeps its identity (size, mtime, inode): the verification result and its checks,
// the sha256, the row counts counted from the dump stream itself, and when each was learned. A
// fact whose file is gone or changed identity is forgotten on the next full scan.
//
// Two consoles (and the CLI) may write at once: every change is a read-modify-write of the whole
// file under a lock file (`existing-backups.json.lock`, created exclusively, holding the writer's
// pid; a lock whose pid is gone or that is older than LOCK_STALE_MS is taken over), written to a
// temp file, fsynced and renamed over (writeFileAtomic), so a reader never sees half a file and a
// writer never loses another's fact.
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { isAlive } from './pid.js';
import type { CatalogEntry } from './catalog.js';
import type { FileIdentity } from './existing.js';
import type { BackupFormat, VerifyResult } from './types.js';

/** The facts file in a state directory. */
export function factsPath(stateDir: string): string {
  return path.join(stateDir, 'existing-backups.json');
}

/** One table's rows as counted from a dump's COPY stream (raw, unquoted names). */
export interface StreamCount {
  schema: string;
  table: string;
  rows: number;
}

/** What opsdeck learned about one existing backup file. */
export interface ExistingFact {
  identity: FileIdentity;
  format: BackupFormat;
  /** The latest verification (background or `opsdeck verify`); its `at` is when. */
  verify?: VerifyResult;
  sha256?: string;
  /** Row counts counted from the backup stream (plain: its COPY blocks; custom: `pg_restore -f -`). */
  rowCounts?: { tables: StreamCount[]; at: string };
}

interface FactsFile {
  version: 1;
  files: Record<string, ExistingFact>;
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/** True when `st` is still the file the fact was learned from. */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** The identity of a file on disk. */
export async function identityOf(file: string): Promise<FileIdentity> {
  const st = await stat(file);
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

/** Every fact in the file; a missing file is none, an unreadable one throws. */
export async function readFacts(file: string): Promise<Record<string, ExistingFact>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<FactsFile>;
    return parsed && typeof parsed.files === 'object' && parsed.files !== null ? parsed.files : {};
  } catch {
    // A torn or hand-edited file: what it held is re-learned (verification runs again), never trusted half.
    return {};
  }
}

/** The fact about `file` if it still matches the file's identity. */
export async function factFor(
  factsFile: string,
  file: string,
  identity: FileIdentity,
): Promise<ExistingFact | undefined> {
  const f = (await readFacts(factsFile))[file];
  return f && sameIdentity(f.identity, identity) ? f : undefined;
}

async function withLock<T>(factsFile: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(factsFile), { recursive: true, mode: 0o700 });
  const lock = `${factsFile}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pid, st] = await Promise.all([readFile(lock, 'utf8').catch(() => ''), stat(lock).catch(() => undefined)]);
      // Released between our open and stat: try again at once. Never unlink here — by now the lock may be
      // another writer's, just taken (that race let two writers in at once under load).
      if (!st) continue;
      // A writer that died mid-change; a lock without a pid yet is being written this instant (fresh: wait).
      const stale = (pid !== '' && !isAlive(Number(pid))) || Date.now() - st.mtimeMs > LOCK_STALE_MS;
      // Take over only the lock judged stale: if it changed hands meanwhile (other pid or mtime), leave it.
      const same = async (): Promise<boolean> => {
        const [pid2, st2] = await Promise.all([
          readFile(lock, 'utf8').catch(() => ''),
          stat(lock).catch(() => undefined),
        ]);
        return pid2 === pid && st2?.mtimeMs === st.mtimeMs && st2.ino === st.ino;
      };
      if (stale && (await same())) await unlink(lock).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`${lock}: held by pid ${pid || '?'} for too long`);
      else await new Promise((r) => setTimeout(r, 15));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Changes the facts under the lock: `change` edits the map in place and says whether anything changed. */
export async function updateFacts(
  factsFile: string,
  change: (files: Record<string, ExistingFact>) => boolean,
): Promise<void> {
  await withLock(factsFile, async () => {
    const files = await readFacts(factsFile);
    if (!change(files)) return;
    const out: FactsFile = { version: 1, files };
    await writeFileAtomic(factsFile, `${JSON.stringify(out, null, 1)}\n`);
  });
}

/**
 * Records what was learned about `file` (identity as it was when learning began). A fact for an older identity is
 * replaced, not merged.
 */
export async function recordFact(
  factsFile: string,
  file: string,
  identity: FileIdentity,
  format: BackupFormat,
  learned: Partial<Pick<ExistingFact, 'verify' | 'sha256' | 'rowCounts'>>,
): Promise<void> {
  await updateFacts(factsFile, (files) => {
    const cur = files[file];
    const base: ExistingFact = cur && sameIdentity(cur.identity, identity) ? cur : { identity, format };
    files[file] = { ...base, ...learned };
    return true;
  });
}

/** Forgets every fact whose file is not in `present` (path → identity now) or changed identity. */
export async function forgetStale(factsFile: string, present: ReadonlyMap<string, FileIdentity>): Promise<string[]> {
  const known = await readFacts(factsFile).catch(() => ({}) as Record<string, ExistingFact>);
  const stale = (files: Record<string, ExistingFact>): string[] =>
    Object.keys(files).filter((p) => {
      const now = present.get(p);
      return !now || !sameIdentity(now, files[p]!.identity);
    });
  // Most scans forget nothing: do not take the lock for them.
  if (stale(known).length === 0) return [];
  let gone: string[] = [];
  await updateFacts(factsFile, (files) => {
    gone = stale(files);
    for (const p of gone) delete files[p];
    return gone.length > 0;
  });
  return gone;
}

/** The catalog's problem text for an existing backup whose verification failed. */
export function corruptProblem(v: VerifyResult): string {
  return `CORRUPT or truncated (verified ${v.at.slice(0, 16).replace('T', ' ')}): ${v.message}`;
}

/**
 * Applies the facts to existing entries (in place): a verified one becomes verified, a failed one is flagged with
 * corruptProblem; with `forget`, facts of files no longer listed (or changed) are dropped. An unreadable facts file
 * leaves the entries unverified and adds a problem line.
 */
export async function applyFacts(
  factsFile: string,
  entries: CatalogEntry[],
  forget: boolean,
  problems: string[],
): Promise<void> {
  let facts: Record<string, ExistingFact>;
  try {
    facts = await readFacts(factsFile);
  } catch (err) {
    problems.push(`${factsFile}: ${(err as Error).message}: existing backups count as not verified`);
    return;
  }
  const present = new Map<string, FileIdentity>();
  for (const e of entries) {
    const id = e.existing?.identity;
    if (!id) continue;
    present.set(e.path, id);
    const f = facts[e.path];
    if (!f || !sameIdentity(f.identity, id) || !f.verify) continue;
    e.lastVerify = f.verify;
    e.verified = f.verify.ok;
    if (f.sha256 && e.existing) e.existing.sha256 = f.sha256;
    if (f.verify.ok) delete e.problem;
    else e.problem = corruptProblem(f.verify);
  }
  if (forget)
    await forgetStale(factsFile, present).catch((err: Error) => problems.push(`${factsFile}: ${err.message}`));
}
