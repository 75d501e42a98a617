// Fixtures for the file-set restore tests: a data tree with other owners and odd modes, a
// byte-for-byte snapshot of a directory (content, type, mode, owner, inode), GNU tar archives
// made the way the knowledge manual makes them, and hostile ones.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServiceConfig } from '../../src/config/schema.js';

export function tempRoot(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `opsdeck-frestore-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A data directory with files of other owners, odd modes, a nested tree, a symlink and a hard link. */
export function makeData(dir: string, salt = 'v1'): void {
  mkdirSync(path.join(dir, 'uploads/2024/12'), { recursive: true });
  mkdirSync(path.join(dir, 'empty'));
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ salt, items: [1, 2, 3] }));
  writeFileSync(
    path.join(dir, 'uploads/2024/12/photo.bin'),
    createHash('sha512').update(salt).digest().toString('hex').repeat(3000),
  );
  writeFileSync(path.join(dir, 'uploads/readme.txt'), `readme ${salt}\n`);
  writeFileSync(path.join(dir, 'secret.key'), `key-${salt}\n`);
  symlinkSync('uploads/readme.txt', path.join(dir, 'readme-link'));
  linkSync(path.join(dir, 'index.json'), path.join(dir, 'index-hard.json'));
  chmodSync(path.join(dir, 'secret.key'), 0o600);
  chmodSync(path.join(dir, 'uploads/2024'), 0o750);
  chmodSync(path.join(dir, 'uploads/readme.txt'), 0o640);
  chownSync(path.join(dir, 'uploads/2024/12/photo.bin'), 1234, 2345);
  chownSync(path.join(dir, 'uploads'), 1001, 1002);
  lchownSync(path.join(dir, 'readme-link'), 1001, 1002);
  chownSync(path.join(dir, 'secret.key'), 1001, 1002);
}

export interface Shot {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  content?: string;
}

/** Everything under `dir` (and `dir` itself as ''), byte for byte, with modes, owners and inodes. */
export function snapshot(dir: string, withIno = true): Record<string, Shot> {
  const out: Record<string, Shot> = {};
  const one = (rel: string): void => {
    const p = rel === '' ? dir : path.join(dir, rel);
    const st = lstatSync(p);
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
    out[rel] = {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      ino: withIno ? st.ino : 0,
      ...(type === 'file' ? { content: createHash('sha256').update(readFileSync(p)).digest('hex') } : {}),
      ...(type === 'symlink' ? { content: readlinkSync(p) } : {}),
    };
    if (type === 'dir') for (const n of readdirSync(p).sort()) one(rel === '' ? n : `${rel}/${n}`);
  };
  if (existsSync(dir) || lstatSync(dir, { throwIfNoEntry: false })) one('');
  return out;
}

/** Names in `dir` (not recursive). */
export const namesIn = (dir: string): string[] => readdirSync(dir).sort();

/** Runs GNU tar with an argv; throws with its stderr when it fails. */
export function gnuTar(args: string[]): void {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
}

/** A service driven by real commands: running while `flag` exists; `failStart` makes start exit 1. */
export function flagService(name: string, flag: string, failStart = false): ServiceConfig {
  return {
    name,
    group: 'application',
    timeout: 10_000,
    start: failStart ? ['sh', '-c', 'exit 1'] : ['touch', flag],
    stop: ['rm', '-f', flag],
    status: ['test', '-e', flag],
  };
}
