// Reading a tar.gz for a file-set restore: every member listed (node-tar over zlib, the whole
// stream, so a truncated archive fails here), each member's path checked before anything is
// written — an absolute path, a `..` component, a symlink or hard link that resolves outside the
// target, or a device node is refused — and, on the extraction pass, every file's sha256 taken
// from the very bytes handed to tar. Pure checks are exported for the unit tests.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';

export type MemberType = 'File' | 'Directory' | 'SymbolicLink' | 'Link';

/** One archive member, its path normalised (no leading `./`; '' is the archive's root `.`). */
export interface Member {
  path: string;
  type: MemberType;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as stored, or a hard link's archive path (normalised). */
  linkpath?: string;
  /** Hex sha256 of a file's contents (extraction pass only). */
  sha256?: string;
}

export interface Listing {
  members: Member[];
  /** Sum of the files' sizes. */
  bytes: number;
  /** Entries refused, each in words ("../x: contains '..'"). */
  refused: string[];
  /** How many members were stored as `./name` (GNU tar's `-C DIR .`); --strip-components counts that `.`. */
  dotSlash: number;
}

const TYPES = new Set<string>(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** The normalised member path, or why it is refused. */
export function normalizeMember(raw: string): { path: string } | { refused: string } {
  if (raw.startsWith('/')) return { refused: `${raw}: absolute path` };
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { refused: `${raw}: contains '..'` };
  return { path: parts.join('/') };
}

/**
 * Whether the symlink at `at` (relative to the target's root) pointing to `link` resolves outside
 * the root, following the archive's own symlinks (`links`: relative path → target) as the kernel
 * would; an absolute target is always outside.
 */
export function linkEscapes(at: string, link: string, links: ReadonlyMap<string, string>): boolean {
  if (link.startsWith('/')) return true;
  const stack = at.split('/').filter(Boolean);
  stack.pop(); // the link's own name: resolution starts in its directory
  let queue = link.split('/');
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return true;
      stack.pop();
      continue;
    }
    stack.push(c);
    const t = links.get(stack.join('/'));
    if (t !== undefined) {
      if (++hops > 40 || t.startsWith('/')) return true;
      stack.pop();
      queue = [...t.split('/'), ...queue];
    }
  }
  return false;
}

export interface ListOptions {
  /** Hash every file (the extraction pass). */
  hash?: boolean;
  /** Every inflated chunk, after the parser has checked every header it completes. */
  onChunk?: (chunk: Buffer) => Promise<void> | void;
  /** Stop at the first refused entry (the extraction pass never hands a refused one on). */
  stopAtRefusal?: boolean;
  signal?: AbortSignal;
  /** Every piece of every file's contents, in order (hash pass only). */
  onFile?: (path: string, data: Buffer) => void;
}

/** Reads the whole archive; rejects when it does not decompress or parse to its end. */
export async function listArchive(file: string, opts: ListOptions = {}): Promise<Listing> {
  const members: Member[] = [];
  const refused: string[] = [];
  let bytes = 0;
  let dotSlash = 0;
  let stop: Error | null = null;
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (e) => {
      const n = normalizeMember(e.path);
      if (e.path === '.' || e.path.startsWith('./')) dotSlash++;
      if ('refused' in n || !TYPES.has(e.type)) {
        refused.push('refused' in n ? n.refused : `${e.path}: ${e.type} entries are not restored`);
        if (opts.stopAtRefusal) stop ??= new Error(`refused entry ${refused[0]}`);
        e.resume();
        return;
      }
      const type: MemberType = e.type === 'OldFile' || e.type === 'ContiguousFile' ? 'File' : (e.type as MemberType);
      const m: Member = {
        path: n.path,
        type,
        size: type === 'File' ? (e.size ?? 0) : 0,
        mode: (e.mode ?? 0) & 0o7777,
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
      };
      if (type === 'SymbolicLink') m.linkpath = e.linkpath ?? '';
      if (type === 'Link') {
        const l = normalizeMember(e.linkpath ?? '');
        if ('refused' in l) {
          refused.push(`${e.path}: hard link to ${l.refused}`);
          if (opts.stopAtRefusal) stop ??= new Error(`refused entry ${refused[0]}`);
        } else m.linkpath = l.path;
      }
      bytes += m.size;
      members.push(m);
      if (opts.hash && type === 'File') {
        const h = createHash('sha256');
        const onFile = opts.onFile;
        e.on('data', (d: Buffer) => {
          h.update(d);
          onFile?.(m.path, d);
        });
        e.on('end', () => (m.sha256 = h.digest('hex')));
      } else e.resume();
    },
  });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const failed = new Promise<never>((_, reject) => {
    parser.on('error', reject);
    gunzip.on('error', reject);
    input.on('error', reject);
  });
  failed.catch(() => undefined);
  const run = async (): Promise<void> => {
    for await (const chunk of input.pipe(gunzip) as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      // The parser sees the chunk first: a header it completes is checked before tar gets a byte of it.
      parser.write(chunk);
      if (stop) throw stop;
      if (opts.onChunk) await opts.onChunk(chunk);
    }
    await new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
      parser.end();
    });
  };
  try {
    await Promise.race([run(), failed]);
  } finally {
    input.destroy();
  }
  if (stop) throw stop;
  return { members, bytes, refused, dotSlash };
}

/** What restores where: the archive members under `prefix` ('' = all) go to `dest`. */
export interface TargetSpec {
  dest: string;
  prefix: string;
  kind: 'dir' | 'file';
}

/** The part of `p` below `prefix`, '' for the prefix itself, undefined when outside it. */
export function below(p: string, prefix: string): string | undefined {
  if (prefix === '') return p;
  if (p === prefix) return '';
  return p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : undefined;
}

/** Entries that would land outside their target (links resolving out, members under no target). */
export function escapes(members: readonly Member[], targets: readonly TargetSpec[], only?: string): string[] {
  const out: string[] = [];
  for (const t of targets) {
    const links = new Map<string, string>();
    for (const m of members) {
      const rel = below(m.path, t.prefix);
      if (rel !== undefined && m.type === 'SymbolicLink') links.set(rel, m.linkpath ?? '');
    }
    for (const m of members) {
      const rel = below(m.path, t.prefix);
      if (rel === undefined) continue;
      if (m.type === 'SymbolicLink' && (rel === '' || linkEscapes(rel, m.linkpath ?? '', links)))
        out.push(`${m.path}: symlink to ${m.linkpath} points outside ${t.dest}`);
      if (m.type === 'Link' && (below(m.linkpath ?? '', t.prefix) ?? '') === '')
        out.push(`${m.path}: hard link to ${m.linkpath} points outside ${t.dest}`);
    }
  }
  if (only === undefined) {
    for (const m of members)
      if (!targets.some((t) => below(m.path, t.prefix) !== undefined))
        out.push(`${m.path || '.'}: outside every path this set restores to`);
  }
  return out;
}

/** Whether every member of `archive` lies under `top` (the `tar -C /etc letsencrypt` layout). */
export function allUnder(members: readonly Member[], top: string): boolean {
  return members.length > 0 && members.every((m) => below(m.path, top) !== undefined);
}

/** `a/b/c` → the dest path of member `rel` of a target. */
export function destOf(t: TargetSpec, rel: string): string {
  return rel === '' ? t.dest : path.join(t.dest, rel);
}
