// What opsdeck knows about its off-host copies, in its own directory:
// `<backups.dir>/offsite/state.json` (one JSON object, written atomically) and
// `<backups.dir>/offsite/copier.lock` (the pid of the one process copying now). Only the lock's
// holder writes the state, so the console's loop and a cron `opsdeck offsite` never interleave
// their writes; a lock whose pid is gone is taken over. The state survives restarts: a failed copy
// keeps its attempts and its next retry time.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import * as z from '../util/zod.js';
import { writeFileAtomic } from './atomic.js';
import { isAlive } from './pid.js';

/** pending: to copy; copying: under way; copied: copied and checked; failed: waiting for its retry. */
export type OffsiteCopyState = 'pending' | 'copying' | 'copied' | 'failed';

/** What a catalog entry says about its off-host copy. */
export interface OffsiteInfo {
  state: OffsiteCopyState;
  /** The remote path of the copy. */
  remotePath: string;
  attempts: number;
  verifiedAt?: string;
  method?: string;
  error?: string;
  nextRetryAt?: string;
  /** The local file is gone: only the remote copy is left (restore and drill fetch it). */
  remoteOnly: boolean;
}

const sourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('postgres'), name: z.string() }),
  z.object({ type: z.literal('files'), name: z.string() }),
]);

const recordSchema = z.object({
  /** Path relative to backups.dir ("postgres/<db>/<file>"): the same path under the remote. */
  rel: z.string(),
  file: z.string(),
  /** The remote (backups.offsite.remote) this record is about: another remote starts again. */
  remote: z.string(),
  source: sourceSchema,
  sourceKey: z.string(),
  kind: z.enum(['full', 'data', 'files']),
  format: z.enum(['plain', 'custom', 'tar']),
  /** When the backup started (ms). */
  time: z.number(),
  size: z.number(),
  /** The sha256 recorded at backup time (its sidecar). */
  sha256: z.string(),
  state: z.enum(['pending', 'copying', 'copied', 'failed']),
  attempts: z.number(),
  lastAttemptAt: z.optional(z.string()),
  verifiedAt: z.optional(z.string()),
  /** How the remote copy was checked: "sha256" (the remote's hash), "md5"/"sha1", "download" (read back). */
  method: z.optional(z.string()),
  error: z.optional(z.string()),
  nextRetryAt: z.optional(z.string()),
});
export type OffsiteRecord = z.output<typeof recordSchema>;

const stateSchema = z.object({ version: z.literal(1), copies: z.record(z.string(), recordSchema) });
export type OffsiteStateFile = z.output<typeof stateSchema>;

export const OFFSITE_DIR = 'offsite';

/** `<backups.dir>/offsite`: opsdeck's own directory for the copies' state and fetched backups. */
export function offsiteDir(root: string): string {
  return path.join(root, OFFSITE_DIR);
}

export function statePath(root: string): string {
  return path.join(offsiteDir(root), 'state.json');
}

/** The state file; an absent one is empty. An unreadable one throws (the caller says so). */
export async function readOffsiteState(root: string): Promise<OffsiteStateFile> {
  let text: string;
  try {
    text = await readFile(statePath(root), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, copies: {} };
    throw err;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${statePath(root)} is not an opsdeck off-host state file`);
  return parsed.data;
}

export async function writeOffsiteState(root: string, state: OffsiteStateFile): Promise<void> {
  await mkdir(offsiteDir(root), { recursive: true, mode: 0o700 });
  await writeFileAtomic(statePath(root), `${JSON.stringify(state, null, 1)}\n`);
}

/** The delay before retry number `attempts` (1 = after the first failure): initial × factor^(n−1), at most max. */
export function backoffMs(attempts: number, retry: { initial: number; max: number; factor: number }): number {
  const n = Math.max(1, attempts);
  return Math.min(retry.max, retry.initial * retry.factor ** (n - 1));
}

/** Whether a record needs a copy now: pending, failed and due, or left "copying" by a process that died. */
export function isDue(r: OffsiteRecord, now: number): boolean {
  if (r.state === 'pending' || r.state === 'copying') return true;
  if (r.state === 'failed') return !r.nextRetryAt || Date.parse(r.nextRetryAt) <= now;
  return false;
}

/**
 * Takes the copier lock for this process; undefined when another live process holds it. The
 * returned function releases it.
 */
export async function takeCopierLock(root: string): Promise<(() => Promise<void>) | undefined> {
  const dir = offsiteDir(root);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = path.join(dir, 'copier.lock');
  for (let i = 0; i < 2; i++) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (pid === process.pid) await unlink(lock).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const text = await readFile(lock, 'utf8').catch(() => null);
      if (text === null) continue; // released meanwhile: try again
      const pid = Number(text.trim());
      if (pid === process.pid) return undefined; // this process copies already (another loop)
      // No pid yet: another copier is taking it this instant. Never unlink a lock that may be fresh.
      if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) return undefined;
      // Its writer is gone: take it over, unless it changed hands meanwhile.
      if ((await readFile(lock, 'utf8').catch(() => '')) === text) await unlink(lock).catch(() => undefined);
    }
  }
  return undefined;
}

/** Hours since the start of each source's newest backup whose copy on `remote` is checked; null: none. */
export function offsiteAges(
  state: OffsiteStateFile,
  remote: string,
  sources: readonly string[],
  now: number,
): { source: string; newest: OffsiteRecord | null; ageHours: number | null }[] {
  return sources.map((source) => {
    let newest: OffsiteRecord | null = null;
    for (const r of Object.values(state.copies))
      if (r.sourceKey === source && r.remote === remote && r.state === 'copied' && (!newest || r.time > newest.time))
        newest = r;
    return {
      source,
      newest,
      ageHours: newest ? Math.max(0, Math.round(((now - newest.time) / 3_600_000) * 10) / 10) : null,
    };
  });
}
