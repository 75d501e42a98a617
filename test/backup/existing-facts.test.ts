// The facts store of existing backups (<stateDir>/existing-backups.json): two processes writing at
// once lose nothing, a lock left by a dead writer is taken over, a torn file is re-learned rather
// than trusted, and a fact holds only while the file keeps its identity.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { factFor, factsPath, forgetStale, readFacts, recordFact } from '../../src/backup/existing-facts.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'opsdeck-facts-'));
  dirs.push(d);
  return path.join(d, 'state');
};
const id = (n: number): { size: number; mtimeMs: number; ino: number } => ({ size: n, mtimeMs: n * 1000, ino: n });
const ok = { ok: true, at: '2026-01-01T00:00:00.000Z', checks: [], message: 'verified' };

/** A child process recording `n` facts named `<tag>-<i>` as fast as it can. */
function writer(file: string, tag: string, n: number): Promise<number | null> {
  const mod = path.resolve('src/backup/existing-facts.ts');
  const script =
    `const { recordFact } = await import(${JSON.stringify(mod)});` +
    `for (let i = 0; i < ${n}; i++) await recordFact(${JSON.stringify(file)}, '/b/${tag}-' + i, ` +
    `{ size: i, mtimeMs: i, ino: i }, 'plain', { sha256: '${tag}' });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.on('close', resolve));
}

describe('the existing-backup facts store', () => {
  it('two processes writing at once: every fact of both is kept', async () => {
    const file = factsPath(stateDir());
    const codes = await Promise.all([writer(file, 'a', 40), writer(file, 'b', 40)]);
    expect(codes).toEqual([0, 0]);
    const facts = await readFacts(file);
    expect(Object.keys(facts)).toHaveLength(80);
    expect(facts['/b/a-39']?.sha256).toBe('a');
    expect(facts['/b/b-0']?.sha256).toBe('b');
  }, 60_000);

  it('takes over a lock whose writer is gone', async () => {
    const file = factsPath(stateDir());
    await recordFact(file, '/b/x', id(1), 'plain', { verify: ok });
    writeFileSync(`${file}.lock`, '999999999');
    await recordFact(file, '/b/y', id(2), 'plain', { verify: ok });
    expect(Object.keys(await readFacts(file)).sort()).toEqual(['/b/x', '/b/y']);
  });

  it('a torn file is re-learned, not trusted', async () => {
    const file = factsPath(stateDir());
    await recordFact(file, '/b/x', id(1), 'plain', { verify: ok });
    writeFileSync(file, '{"version":1,"files":{"/b/x":{"ident');
    expect(await readFacts(file)).toEqual({});
    await recordFact(file, '/b/z', id(3), 'custom', { sha256: 'f' });
    expect(Object.keys(await readFacts(file))).toEqual(['/b/z']);
  });

  it('a fact holds only for the same size, mtime and inode; forgetStale drops the others', async () => {
    const file = factsPath(stateDir());
    await recordFact(file, '/b/x', id(1), 'plain', { verify: ok });
    await recordFact(file, '/b/y', id(2), 'plain', { verify: ok });
    await recordFact(file, '/b/gone', id(3), 'plain', { verify: ok });
    expect(await factFor(file, '/b/x', id(1))).toMatchObject({ verify: ok });
    expect(await factFor(file, '/b/x', { ...id(1), ino: 9 })).toBeUndefined();
    // A newer identity replaces the old fact instead of inheriting its verification.
    await recordFact(file, '/b/y', id(7), 'plain', { sha256: 'new' });
    expect((await readFacts(file))['/b/y']).toEqual({ identity: id(7), format: 'plain', sha256: 'new' });
    const gone = await forgetStale(
      file,
      new Map([
        ['/b/x', id(1)],
        ['/b/y', id(8)],
      ]),
    );
    expect(gone.sort()).toEqual(['/b/gone', '/b/y']);
    expect(Object.keys(await readFacts(file))).toEqual(['/b/x']);
  });
});
