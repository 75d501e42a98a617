// Off-host copies (issue 14, point 6): every backup opsdeck publishes (verified, with its sidecar)
// is copied to `backups.offsite.remote` under the same relative path (postgres/<db>/<file>,
// files/<set>/<file>), then checked against the remote's own checksum — `rclone hashsum sha256`
// where the remote keeps SHA-256; md5/sha1 where it keeps those, against the local file hashed
// while the upload runs (and its sha256 against the sidecar's); where it keeps none (WebDAV), the
// file is read back (`hashsum --download`) and its sha256 compared with the sidecar's. Then the
// sidecar goes up and is read back byte for byte. Only then is the copy "copied".
//
// This runs beside the backups, never inside them: a failed copy never fails, delays or changes
// the local backup. Its state (offsite-state.ts) says pending / copying / copied (when, how) /
// failed (why, next retry); a failure is retried with exponential backoff (backups.offsite.retry),
// persisted, so a restart keeps the schedule. The backup-age probe turns the newest verified copy
// of each source into `backup.offsiteAgeHours`.
//
// The DR path: fetchOffsite() downloads a backup (and its sidecar) into opsdeck's own
// `<backups.dir>/offsite/fetched/<rel>`, refuses it unless its sha256 equals the one recorded at
// backup time (the state's, else the sidecar's), and then the usual restore/drill checks follow.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { OffsiteConfig } from '../config/schema.js';
import { removeQuietly } from './atomic.js';
import { scanCatalog, type Catalog, type CatalogEntry } from './catalog.js';
import {
  backoffMs,
  isDue,
  offsiteDir,
  readOffsiteState,
  takeCopierLock,
  writeOffsiteState,
  type OffsiteInfo,
  type OffsiteRecord,
  type OffsiteStateFile,
} from './offsite-state.js';
import { failureText, OffsiteError, rcloneRunner, remotePath, type RcloneRunner } from './rclone.js';
import { sidecarSchema } from './sidecar.js';
import { compareText } from '../util/text.js';

export { OffsiteError } from './rclone.js';
export type { OffsiteInfo } from './offsite-state.js';
export { offsiteAges } from './offsite-state.js';

export interface OffsiteOptions {
  /** backups.dir */
  root: string;
  cfg: OffsiteConfig;
  /** Environment for rclone (its RCLONE_CONFIG_* remotes); process.env by default. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  now?: () => number;
  /** A runner made already (shares the remote's cached hash types). */
  runner?: RcloneRunner;
}

export interface PushOptions extends OffsiteOptions {
  /** Push only these backups (paths relative to root, or absolute paths under it). */
  only?: readonly string[];
  /** Retry failed copies now, whatever their backoff says. */
  force?: boolean;
  /** Called on every state change of a copy. */
  onUpdate?: (r: OffsiteRecord) => void;
}

export interface PushResult {
  /** False when another process holds the copier lock (nothing was done). */
  ran: boolean;
  /** The copies attempted in this run, in their final state. */
  attempted: OffsiteRecord[];
  state: OffsiteStateFile;
}

const rel = (root: string, file: string): string => path.relative(root, file).split(path.sep).join('/');

/** Adds a pending record for every verified backup of opsdeck's that the state does not know for this remote. */
function merge(state: OffsiteStateFile, catalog: Catalog, remote: string): boolean {
  let changed = false;
  for (const e of catalog.entries) {
    if (e.origin !== 'opsdeck' || !e.verified || !e.meta) continue;
    const key = rel(catalog.root, e.path);
    const cur = state.copies[key];
    if (cur && cur.remote === remote && cur.sha256 === e.meta.sha256) continue;
    state.copies[key] = {
      rel: key,
      file: e.file,
      remote,
      source: e.source,
      sourceKey: e.sourceKey,
      kind: e.kind,
      format: e.format === 'custom' ? 'custom' : e.format === 'tar' ? 'tar' : 'plain',
      time: e.time,
      size: e.meta.size,
      sha256: e.meta.sha256,
      state: 'pending',
      attempts: 0,
    };
    changed = true;
  }
  return changed;
}

/** The sha256 and the hashes in `also` of a file, in one read. */
async function hashFile(file: string, also: readonly string[], signal?: AbortSignal): Promise<Record<string, string>> {
  const hs = new Map(['sha256', ...also].map((h) => [h, createHash(h)] as const));
  const stream = createReadStream(file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) for (const h of hs.values()) h.update(chunk as Buffer);
  return Object.fromEntries([...hs].map(([k, h]) => [k, h.digest('hex')]));
}

/** How much earlier than its last verification a file must have been written to be trusted unchanged. */
const MTIME_SLACK_MS = 250;

/**
 * Whether `file` is as it was when it last verified: its size is the recorded one and it was last written before that
 * verification (the quick check rsync and make rely on). The sidecar's `lastVerify.at` is when the bytes were last
 * read and proven against its sha256.
 */
async function untouchedSinceVerified(file: string, sidecar: Buffer, size: number): Promise<boolean> {
  try {
    const st = await stat(file);
    const at = Date.parse(
      (JSON.parse(sidecar.toString('utf8')) as { lastVerify?: { at?: string } }).lastVerify?.at ?? '',
    );
    // A file's mtime comes from the kernel's coarse clock (a tick behind Date.now()): a write just after the
    // verification can carry an mtime just before it. Only a file last written well before counts as untouched.
    return st.size === size && Number.isFinite(at) && st.mtimeMs < at - MTIME_SLACK_MS;
  } catch {
    return false;
  }
}

/** The first hash of `rclone hashsum` output. */
function firstHash(stdout: string): string | undefined {
  return /^([0-9a-fA-F]{16,})\s/.exec(stdout)?.[1]?.toLowerCase();
}

// Hash types opsdeck can compute itself, in rclone's order of preference (the one a transfer checks).
const LOCAL_HASHES = ['md5', 'sha1', 'sha256'];

/**
 * Copies one backup and its sidecar to the remote and checks them; resolves with how, throws OffsiteError.
 * Both go in one `rclone copy` (one connection), while opsdeck reads the local file once to prove
 * its sha256 is still the sidecar's (SHA-256 is ≈ 0.3 CPU-s per 500 MB here; md5 would cost 1–1.4).
 * Where the remote keeps a hash (md5, sha1, sha256), the check is the transfer's own: after each
 * upload rclone asks the remote for the file's hash and compares it with the source's, logging
 * `md5 = … OK` (debug, JSON) — a line per file is required, else (e.g. a transfer skipped as
 * unchanged) opsdeck hashes the local file itself and asks `rclone hashsum`. With sha256 on the
 * remote, its hash must equal the sidecar's. Where the remote keeps none (WebDAV), the file is read
 * back (`hashsum --download`) and its sha256 compared with the sidecar's, the sidecar read back byte for byte.
 */
async function copyOne(runner: RcloneRunner, root: string, r: OffsiteRecord, signal?: AbortSignal): Promise<string> {
  const local = path.join(root, r.rel);
  const name = path.basename(local);
  const remote = runner.pathOf(r.rel);
  const remoteDir = runner.pathOf(path.posix.dirname(r.rel));
  const mine = await readFile(`${local}.json`);
  // The remote's hash types are asked while the upload starts; the local hash starts when they are known.
  const put = runner.run(['copy', '--files-from-raw', '-', '--no-traverse', path.dirname(local), remoteDir], signal, {
    hashLog: true,
    input: `${name}\n${name}.json\n`,
  });
  const hashes = await runner.hashes(signal).catch(() => [] as string[]);
  const type = LOCAL_HASHES.find((h) => hashes.includes(h));
  // Without a hash on the remote the read back proves the bytes against the sidecar's sha256 instead. With one, the
  // local file is hashed again only when it may have changed since its last verification (written after it, or
  // another size): re-reading an untouched file cost 0.3 CPU-s per 500 MB, 1.19× → see bench/offsite.ts.
  const localHashes =
    type && !(await untouchedSinceVerified(local, mine, r.size))
      ? hashFile(local, [], signal).catch((e: Error) => e)
      : Promise.resolve({ sha256: r.sha256 } as Record<string, string>);
  const done = await put;
  const got = await localHashes;
  if (done.code !== 0) throw new OffsiteError(`copy to ${remote} failed: ${failureText(done)}`);
  if (got instanceof Error) throw new OffsiteError(`cannot read ${local}: ${got.message}`);
  if (got.sha256 !== r.sha256)
    throw new OffsiteError(`${local} no longer matches the sha256 its sidecar recorded: not copied as good`);
  const checked = (object: string): string | undefined =>
    done.hashChecks.find((h) => h.type === type && path.posix.basename(h.object) === object)?.hash;
  const remoteHash = async (p: string): Promise<string> => {
    const sum = await runner.run(['hashsum', type!, p], signal);
    const h = sum.code === 0 ? firstHash(sum.stdout) : undefined;
    if (!h) throw new OffsiteError(`cannot read the ${type} of ${p}: ${failureText(sum)}`);
    return h;
  };
  if (type) {
    const byTransfer = checked(name);
    // The transfer compared the remote's hash with the source's; with sha256 it must also be the sidecar's.
    const mismatch = (theirs: string, expected: string): OffsiteError =>
      new OffsiteError(
        `the copy on the remote does not match: remote ${type} ${theirs.slice(0, 12)}…, ` +
          `expected ${expected.slice(0, 12)}…`,
      );
    if (byTransfer === undefined) {
      let expected = r.sha256;
      if (type !== 'sha256') {
        const h = await hashFile(local, [type], signal).catch((e: Error) => e);
        if (h instanceof Error) throw new OffsiteError(`cannot read ${local}: ${h.message}`);
        expected = h[type]!;
      }
      const theirs = await remoteHash(remote);
      if (theirs !== expected) throw mismatch(theirs, expected);
    } else if (type === 'sha256' && byTransfer !== r.sha256) throw mismatch(byTransfer, r.sha256);
    const sideTheirs = checked(`${name}.json`) ?? (await remoteHash(`${remote}.json`));
    if (sideTheirs !== createHash(type).update(mine).digest('hex'))
      throw new OffsiteError(`the sidecar on the remote (${remote}.json) does not match`);
    return `remote ${type}`;
  }
  const [sum, back] = await Promise.all([
    runner.run(['hashsum', 'sha256', '--download', remote], signal),
    runner.run(['cat', `${remote}.json`], signal),
  ]);
  const readBack = sum.code === 0 ? firstHash(sum.stdout) : undefined;
  if (!readBack) throw new OffsiteError(`cannot read ${remote} back: ${failureText(sum)}`);
  if (readBack !== r.sha256)
    throw new OffsiteError(
      `the copy on the remote does not match: sha256 read back ${readBack.slice(0, 12)}…, ` +
        `recorded ${r.sha256.slice(0, 12)}…`,
    );
  if (back.code !== 0 || back.stdout !== mine.toString('utf8'))
    throw new OffsiteError(`the sidecar read back from ${remote}.json differs: ${failureText(back)}`);
  return 'download (read back, sha256)';
}

/** Where the copies' state says what (merged with the catalog: new backups are pending). */
export async function offsiteStatus(opts: OffsiteOptions): Promise<OffsiteStateFile> {
  const state = await readOffsiteState(opts.root);
  merge(state, await scanCatalog(opts.root), opts.cfg.remote);
  return state;
}

/**
 * Copies what is due (pending, failed and past its retry time, or left "copying" by a dead process),
 * newest backup first, each copy's state saved as it changes. Holds the copier lock meanwhile.
 */
export async function pushOffsite(opts: PushOptions): Promise<PushResult> {
  const now = opts.now ?? Date.now;
  const release = await takeCopierLock(opts.root);
  if (!release) return { ran: false, attempted: [], state: await readOffsiteState(opts.root) };
  const attempted: OffsiteRecord[] = [];
  try {
    const state = await readOffsiteState(opts.root);
    if (merge(state, await scanCatalog(opts.root), opts.cfg.remote)) await writeOffsiteState(opts.root, state);
    const only = opts.only?.map((f) => (path.isAbsolute(f) ? rel(opts.root, f) : f));
    const due = Object.values(state.copies)
      .filter((r) => r.remote === opts.cfg.remote && (opts.force && r.state === 'failed' ? true : isDue(r, now())))
      .filter((r) => !only || only.includes(r.rel))
      .sort((a, b) => b.time - a.time || compareText(a.rel, b.rel));
    const runner = opts.runner ?? rcloneRunner(opts.cfg, opts.env);
    const save = async (r: OffsiteRecord): Promise<void> => {
      state.copies[r.rel] = r;
      await writeOffsiteState(opts.root, state);
      opts.onUpdate?.(r);
    };
    for (const r0 of due) {
      if (opts.signal?.aborted) break;
      // The local file went (pruned) before it was copied: nothing to copy any more.
      if (!(await stat(path.join(opts.root, r0.rel)).catch(() => undefined))) {
        if (r0.state !== 'copied') delete state.copies[r0.rel];
        await writeOffsiteState(opts.root, state);
        continue;
      }
      const started = new Date(now()).toISOString();
      let r: OffsiteRecord = { ...r0, state: 'copying', lastAttemptAt: started };
      delete r.error;
      delete r.nextRetryAt;
      await save(r);
      try {
        const method = await copyOne(runner, opts.root, r, opts.signal);
        r = { ...r, state: 'copied', attempts: r.attempts + 1, verifiedAt: new Date(now()).toISOString(), method };
      } catch (err) {
        const attempts = r.attempts + 1;
        const why = opts.signal?.aborted
          ? 'interrupted (opsdeck stopped)'
          : runner.redact(err instanceof Error ? err.message : String(err));
        r = {
          ...r,
          state: 'failed',
          attempts,
          error: why,
          nextRetryAt: new Date(now() + backoffMs(attempts, opts.cfg.retry)).toISOString(),
        };
      }
      await save(r);
      attempted.push(r);
    }
    return { ran: true, attempted, state };
  } finally {
    await release();
  }
}

function infoOf(runner: Pick<RcloneRunner, 'pathOf'>, r: OffsiteRecord, remoteOnly: boolean): OffsiteInfo {
  return {
    state: r.state,
    remotePath: runner.pathOf(r.rel),
    attempts: r.attempts,
    remoteOnly,
    ...(r.verifiedAt ? { verifiedAt: r.verifiedAt } : {}),
    ...(r.method ? { method: r.method } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.nextRetryAt ? { nextRetryAt: r.nextRetryAt } : {}),
  };
}

/**
 * Adds each entry's off-host copy (`offsite`) to a catalog of `root`, and lists as remote-only
 * entries the checked copies whose local file is gone (their path is the remote path).
 */
export function withOffsite(catalog: Catalog, state: OffsiteStateFile, cfg: Pick<OffsiteConfig, 'remote'>): void {
  const paths = { pathOf: (r: string) => remotePath(cfg.remote, r) };
  const seen = new Set<string>();
  for (const e of catalog.entries) {
    if (e.origin !== 'opsdeck') continue;
    const key = rel(catalog.root, e.path);
    seen.add(key);
    const r = state.copies[key];
    // A record of another file under the same name (deleted, then re-made within the second) is not this one's copy.
    if (r && r.remote === cfg.remote && r.sha256 === e.meta?.sha256) e.offsite = infoOf(paths, r, false);
    else if (e.verified)
      e.offsite = { state: 'pending', remotePath: paths.pathOf(key), attempts: 0, remoteOnly: false };
  }
  for (const r of Object.values(state.copies)) {
    if (seen.has(r.rel) || r.remote !== cfg.remote || r.state !== 'copied') continue;
    const entry: CatalogEntry = {
      origin: 'opsdeck',
      path: paths.pathOf(r.rel),
      file: r.file,
      source: r.source,
      sourceKey: r.sourceKey,
      kind: r.kind,
      format: r.format,
      time: r.time,
      size: r.size,
      verified: true,
      offsite: infoOf(paths, r, true),
    };
    catalog.entries.push(entry);
  }
  catalog.entries.sort((a, b) => b.time - a.time || compareText(b.file, a.file));
}

/** withOffsite from the state on disk; an unreadable state is a catalog problem, never a failed listing. */
export async function addOffsiteCopies(catalog: Catalog, cfg: Pick<OffsiteConfig, 'remote'>): Promise<void> {
  try {
    withOffsite(catalog, await readOffsiteState(catalog.root), cfg);
  } catch (err) {
    catalog.problems.push(`off-host copy state unreadable: ${(err as Error).message}`);
  }
}

const SAFE_NAME = /^[A-Za-z0-9_.%+-]+$/;

/** Where a fetched backup goes: opsdeck's own `<root>/offsite/fetched/<rel>`. */
export function fetchedPath(root: string, relPath: string): string {
  return path.join(offsiteDir(root), 'fetched', ...relPath.split('/'));
}

/**
 * Fetches a backup from the remote by file name (or its path relative to root, or its remote
 * path) into `<root>/offsite/fetched/`, with its sidecar, and checks its sha256 against the one
 * recorded at backup time before giving it its name. Resolves with the local path; throws
 * OffsiteError (nothing left behind) when it is not there or does not match.
 */
export async function fetchOffsite(opts: OffsiteOptions & { file: string }): Promise<string> {
  const runner = opts.runner ?? rcloneRunner(opts.cfg, opts.env);
  const base = opts.cfg.remote.endsWith(':') ? opts.cfg.remote : `${opts.cfg.remote}/`;
  const wanted = opts.file.startsWith(base) ? opts.file.slice(base.length) : opts.file;
  const state = await readOffsiteState(opts.root).catch(() => ({ version: 1 as const, copies: {} }));
  const known = Object.values(state.copies)
    .filter((r) => r.remote === opts.cfg.remote && (r.rel === wanted || r.file === wanted))
    .sort((a, b) => b.time - a.time)[0];
  let relPath = known?.rel;
  if (!relPath) {
    const name = path.posix.basename(wanted);
    if (!SAFE_NAME.test(name)) throw new OffsiteError(`${opts.file} is not a backup file name`);
    const ls = await runner.run(['lsjson', '-R', '--files-only', '--include', name, opts.cfg.remote], opts.signal);
    if (ls.code !== 0) throw new OffsiteError(`cannot list ${opts.cfg.remote}: ${failureText(ls)}`);
    let found: string[] = [];
    try {
      found = (JSON.parse(ls.stdout) as { Path: string }[]).map((f) => f.Path);
    } catch {
      // not JSON: nothing found
    }
    relPath = found
      .filter((p) => /^(postgres|files)\//.test(p) && (p === wanted || path.posix.basename(p) === name))
      .sort()[0];
    if (!relPath) throw new OffsiteError(`no backup ${name} on ${opts.cfg.remote}`);
  }
  const dest = fetchedPath(opts.root, relPath);
  await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
  const part = `${dest}.${process.pid}.partial`;
  const sidePart = `${dest}.json.${process.pid}.partial`;
  const cleanup = async (): Promise<void> => {
    await removeQuietly(part);
    await removeQuietly(sidePart);
  };
  try {
    const remote = runner.pathOf(relPath);
    for (const [from, to] of [
      [remote, part],
      [`${remote}.json`, sidePart],
    ] as const) {
      const r = await runner.run(['copyto', from, to], opts.signal);
      if (r.code !== 0) throw new OffsiteError(`cannot fetch ${from}: ${failureText(r)}`);
    }
    let side;
    try {
      side = sidecarSchema.parse(JSON.parse(await readFile(sidePart, 'utf8')));
    } catch {
      throw new OffsiteError(`the sidecar of ${remote} is not readable: refusing the copy`);
    }
    const expected = known?.sha256 ?? side.sha256;
    if (known && side.sha256 !== known.sha256)
      throw new OffsiteError(`the sidecar on the remote does not record the sha256 opsdeck copied: refusing ${remote}`);
    const got = (await hashFile(part, [], opts.signal)).sha256!;
    const size = (await stat(part)).size;
    if (got !== expected || size !== side.size)
      throw new OffsiteError(
        `the copy of ${path.posix.basename(relPath)} on the remote does not match the checksum recorded at backup ` +
          `time (sha256 ${got.slice(0, 12)}…, recorded ${expected.slice(0, 12)}…; ${size} bytes, recorded ` +
          `${side.size}): refusing it, nothing was changed`,
      );
    await rename(sidePart, `${dest}.json`);
    await rename(part, dest);
    return dest;
  } catch (err) {
    await cleanup();
    if (err instanceof OffsiteError) throw new OffsiteError(runner.redact(err.message));
    throw new OffsiteError(runner.redact(err instanceof Error ? err.message : String(err)));
  }
}
