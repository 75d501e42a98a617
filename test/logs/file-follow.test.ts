// A followed file rotated both ways mid-tail, like logrotate does it: every line arrives exactly
// once and in order. Writers here behave like real daemons: O_APPEND, keep writing to the old
// file after a rename until they "reopen", and keep their fd across a copy-truncate.
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followFile } from '../../src/logs/file-follow.js';
import type { LogStream, SourceSink } from '../../src/logs/types.js';
import { holdsFor } from '../helpers/wait.js';

let dir: string;
let file: string;
let stream: LogStream | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-follow-'));
  file = path.join(dir, 'app.log');
});

afterEach(async () => {
  await stream?.stop();
  stream = null;
  rmSync(dir, { recursive: true, force: true });
});

function collector() {
  const lines: string[] = [];
  const status: string[] = [];
  const waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (!w.pred()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const sink: SourceSink = {
    lines: (ls) => {
      lines.push(...ls);
      check();
    },
    status: (s) => {
      status.push(s);
      check();
    },
    end: () => undefined,
  };
  /** Waits for a condition on what has arrived (no sleeps); after 20 s fails saying what did arrive. */
  const until = (pred: () => boolean): Promise<void> => {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const dups = lines.length - new Set(lines).size;
        const nums = lines.map((l) => Number(l.slice(5, 11)));
        const gaps: string[] = [];
        for (let i = 1; i < nums.length; i++) if (nums[i] !== nums[i - 1]! + 1) gaps.push(`${nums[i - 1]}→${nums[i]}`);
        status.push(`gaps: ${gaps.join(', ')} first ${nums[0]}`);
        const last = JSON.stringify(lines.slice(-2));
        reject(
          new Error(
            `timed out: ${lines.length} lines (${dups} duplicates), last ${last}; status: ${status.join(' | ')}`,
          ),
        );
      }, 20_000);
      waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  };
  return { lines, status, sink, until };
}

const L = (i: number): string => `line ${String(i).padStart(6, '0')} ${'x'.repeat(i % 37)}`;
const range = (a: number, b: number): string[] => Array.from({ length: b - a }, (_, i) => L(a + i));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes lines [a, b) through `fd` in small batches, yielding to the event loop between them. */
async function writeLines(fd: number, a: number, b: number): Promise<void> {
  for (let i = a; i < b; i += 50) {
    writeSync(
      fd,
      range(i, Math.min(b, i + 50))
        .map((l) => `${l}\n`)
        .join(''),
    );
    await tick();
  }
}

describe('followFile', () => {
  it('starts with the last lines of the file, then follows', async () => {
    writeFileSync(
      file,
      range(0, 500)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const c = collector();
    stream = followFile(file, c.sink, { pollMs: 20, initialLines: 10 });
    await c.until(() => c.lines.length >= 10);
    appendFileSync(file, `${L(500)}\n`);
    await c.until(() => c.lines.length >= 11);
    expect(c.lines).toEqual(range(490, 501));
  });

  it('waits for a file that does not exist yet', async () => {
    const c = collector();
    stream = followFile(file, c.sink, { pollMs: 20 });
    await c.until(() => c.status.some((s) => s.includes('waiting for')));
    writeFileSync(file, `${L(1)}\n${L(2)}\n`);
    await c.until(() => c.lines.length >= 2);
    expect(c.lines).toEqual([L(1), L(2)]);
  });

  it('survives rename-and-create and copy-truncate mid-tail without losing or duplicating a line', async () => {
    writeFileSync(file, 'before the tail started\n');
    const c = collector();
    stream = followFile(file, c.sink, { pollMs: 15, initialLines: 0, drainQuietMs: 200 });
    await c.until(() => c.status.some((s) => s.startsWith('following')));
    let fd = openSync(file, 'a');
    await writeLines(fd, 0, 1000);

    // logrotate `create`: rename, create an empty file; the daemon writes on to the old inode…
    renameSync(file, `${file}.1`);
    writeFileSync(file, '');
    await writeLines(fd, 1000, 1200);
    // The follower has switched to the new file, and the daemon still writes to the old one…
    await c.until(() => c.status.some((s) => s.includes('rotated')));
    await writeLines(fd, 1200, 1500);
    // …until its postrotate HUP makes it reopen the path.
    closeSync(fd);
    fd = openSync(file, 'a');
    await writeLines(fd, 1500, 3000);

    // logrotate `copytruncate`: copy, truncate in place; the daemon keeps its (O_APPEND) fd. The
    // follower has read some of the new file (a day passes between rotations) but maybe not all:
    // what it had not read is only in the copy now.
    await c.until(() => c.lines.includes(L(1500)));
    renameSync(`${file}.1`, `${file}.2`);
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await writeLines(fd, 3000, 4000);

    // And once more with the rewrite outgrowing the old offset before the follower looks:
    // only the changed bytes before the offset can tell it was truncated.
    await c.until(() => c.lines.length >= 4000);
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    writeSync(
      fd,
      range(4000, 6000)
        .map((l) => `${l}\n`)
        .join(''),
    );
    closeSync(fd);

    await c.until(() => c.lines.length >= 6000);
    // A duplicate would arrive on a later poll: 100 ms is over six polls of 15 ms.
    await holdsFor(100, () => c.lines.length === 6000, 'no line arriving twice');
    expect(c.lines.length).toBe(6000);
    expect(c.lines).toEqual(range(0, 6000));
    expect(c.status.join('\n')).toMatch(/rotated/);
    expect(c.status.join('\n')).toMatch(/truncated/);
  });

  it('drains rotated-away files completely and in order when it is several renames behind', async () => {
    writeFileSync(file, '');
    const c = collector();
    // A small read budget per tick, so the follower falls far behind a writer that writes flat out:
    // each old file needs many ticks to drain, and several renames queue up meanwhile.
    stream = followFile(file, c.sink, { pollMs: 10, initialLines: 0, budgetBytes: 8 * 1024, drainQuietMs: 30 });
    await c.until(() => c.status.some((s) => s.startsWith('following')));
    const rotated = (): number => c.status.filter((s) => s.includes('rotated')).length;
    const ROTATIONS = 6;
    const PER_FILE = 8000; // ~250 KB a file
    /** First line number of each file, and how many lines had arrived when its successor was noticed. */
    const starts: number[] = [];
    const arrivedAtRotation: number[] = [];
    let fd = openSync(file, 'a');
    let n = 0;
    for (let r = 0; r <= ROTATIONS; r++) {
      starts.push(n);
      // Flat out: big batches, barely yielding.
      for (const end = n + PER_FILE; n < end; n += 1000)
        writeSync(
          fd,
          range(n, n + 1000)
            .map((l) => `${l}\n`)
            .join(''),
        );
      if (r === ROTATIONS) break;
      // logrotate `create` with shifting names (renames of files the follower may still be draining)…
      for (let k = r; k >= 1; k--) renameSync(`${file}.${k}`, `${file}.${k + 1}`);
      renameSync(file, `${file}.1`);
      writeFileSync(file, '');
      // …the daemon writes on to the old inode a little, then reopens once the follower has noticed.
      writeSync(
        fd,
        range(n, n + 500)
          .map((l) => `${l}\n`)
          .join(''),
      );
      n += 500;
      await c.until(() => rotated() > r);
      arrivedAtRotation.push(c.lines.length);
      closeSync(fd);
      fd = openSync(file, 'a');
    }
    closeSync(fd);

    await c.until(() => c.lines.length >= n);
    // A duplicate would arrive on a later poll: 100 ms is ten polls of 10 ms.
    await holdsFor(100, () => c.lines.length === n, 'no line arriving twice');
    expect(rotated()).toBe(ROTATIONS);
    const nums = c.lines.map((l) => Number(l.slice(5, 11)));
    const firstBad = nums.findIndex((v, i) => v !== i);
    expect(
      firstBad === -1
        ? 'in order'
        : `at ${firstBad}: ${nums.slice(Math.max(0, firstBad - 2), firstBad + 3).join(', ')}`,
    ).toBe('in order');
    expect(c.lines.length).toBe(n);
    expect(c.lines).toEqual(range(0, n));
    // The scenario really was "several rotated files queued, none drained yet" at least once: when
    // file r was renamed away, not even file r - 2 had been read to its end.
    expect(arrivedAtRotation.some((got, r) => r >= 2 && got < starts[r - 1]!)).toBe(true);
  });

  it('takes the lines it had not read yet from the copy when the file is copy-truncated behind its back', async () => {
    writeFileSync(file, '');
    const c = collector();
    // A slow poll: the whole rotation happens between two looks.
    stream = followFile(file, c.sink, { pollMs: 400, initialLines: 0 });
    await c.until(() => c.status.some((s) => s.startsWith('following')));
    const fd = openSync(file, 'a');
    writeSync(
      fd,
      range(0, 100)
        .map((l) => `${l}\n`)
        .join(''),
    );
    await c.until(() => c.lines.length >= 100);
    writeSync(
      fd,
      range(100, 300)
        .map((l) => `${l}\n`)
        .join(''),
    );
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    writeSync(
      fd,
      range(300, 310)
        .map((l) => `${l}\n`)
        .join(''),
    );
    closeSync(fd);
    await c.until(() => c.lines.length >= 310);
    expect(c.lines).toEqual(range(0, 310));
  });
});
