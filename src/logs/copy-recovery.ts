// After a copy-truncate, the lines a follower had not read yet exist only in the copy logrotate
// just made (uncompressed, thanks to `delaycompress`). The copy is found by name (same base name
// plus a suffix) and proven by content: the bytes just before our offset must be the ones we read.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const CHUNK = 256 * 1024;

/**
 * Finds the copy of `file` whose bytes before `pos` equal `fingerprint` and feeds its bytes from
 * `pos` to its end to `onChunk`. Resolves to the copy's name, or null when there is none.
 */
export async function readRestFromCopy(
  file: string,
  pos: number,
  fingerprint: Buffer,
  onChunk: (chunk: Buffer) => void,
): Promise<string | null> {
  if (pos === 0 || fingerprint.length === 0) return null;
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = (await readdir(dir)).filter(
      (n) => n !== base && n.startsWith(base) && !/\.(gz|xz|bz2|zst|lz4|zip)$/.test(n),
    );
  } catch {
    return null;
  }
  const candidates: { name: string; mtime: number; size: number }[] = [];
  for (const name of names) {
    const st = await stat(path.join(dir, name)).catch(() => null);
    if (st?.isFile() && st.size >= pos) candidates.push({ name, mtime: st.mtimeMs, size: st.size });
  }
  // Newest first: the copy was made moments ago.
  candidates.sort((a, b) => b.mtime - a.mtime);
  const buf = Buffer.alloc(CHUNK);
  for (const c of candidates.slice(0, 5)) {
    const fh = await open(path.join(dir, c.name), 'r').catch(() => null);
    if (!fh) continue;
    try {
      const probe = Buffer.alloc(fingerprint.length);
      await fh.read(probe, 0, probe.length, pos - probe.length);
      if (!probe.equals(fingerprint)) continue;
      for (let at = pos; at < c.size;) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, c.size - at), at);
        if (bytesRead === 0) break;
        onChunk(buf.subarray(0, bytesRead));
        at += bytesRead;
      }
      return c.name;
    } finally {
      await fh.close();
    }
  }
  return null;
}
