// Atomic publication: a backup is written under a hidden temp name, flushed, verified, and only
// then given its final name. link(2) is used instead of rename(2) for that last step because it
// refuses to overwrite: two backups finishing in the same second can never replace each other.
import { constants } from 'node:fs';
import { link, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { partialPath } from './naming.js';
import { BackupError } from './types.js';

/** Flushes a directory entry change (create, rename, unlink) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p with mode 0700 (backups hold the data itself), as a BackupError on failure. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError(`cannot create ${dir}`, err);
  }
}

/** Removes a file, ignoring "already gone"; other errors are returned, not thrown (cleanup must go on). */
export async function removeQuietly(file: string): Promise<Error | undefined> {
  try {
    await unlink(file);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (err as Error);
  }
}

/** Creates the temp file for `intendedPath` exclusively, mode 0600 (backups hold the data itself). */
export async function createPartial(intendedPath: string): Promise<{ path: string; handle: FileHandle }> {
  const p = partialPath(intendedPath);
  try {
    return { path: p, handle: await open(p, 'wx', 0o600) };
  } catch (err) {
    throw ioError(`cannot create ${p}`, err);
  }
}

/**
 * Gives the verified temp file its final name: the first of nameFor(1), nameFor(2), … that does
 * not exist yet. Removes the temp name and flushes the directory. Returns the final path.
 */
export async function publish(partial: string, nameFor: (n: number) => string): Promise<string> {
  const dir = path.dirname(partial);
  for (let n = 1; n < 100; n++) {
    const final = path.join(dir, nameFor(n));
    try {
      await link(partial, final);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw ioError(`cannot publish ${final}`, err);
    }
    await unlink(partial);
    await fsyncDir(dir);
    return final;
  }
  throw new BackupError('io', `cannot publish ${partial}: 99 backups with the same name already exist`);
}

/** Writes `text` to `file` atomically (temp file, fsync, rename over, fsync dir). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const { path: tmp, handle } = await createPartial(file);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
    await fsyncDir(path.dirname(file));
  } catch (err) {
    await handle.close().catch(() => undefined);
    await removeQuietly(tmp);
    throw ioError(`cannot write ${file}`, err);
  }
}

/** Wraps a filesystem error as a BackupError, calling a full disk what it is. */
export function ioError(what: string, err: unknown): BackupError {
  if (err instanceof BackupError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT')
    return new BackupError('no_space', `${what}: the filesystem is full (${e.code})`);
  return new BackupError('io', `${what}: ${e.message ?? String(err)}`);
}
