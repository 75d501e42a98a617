// The pipeline a Logs pane reads: frames instead of lines, a bounded buffer, pause/resume,
// filter, error counts — and stop() takes the source's child process with it.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLogTail, type LogTail, type TailFrame } from '../../src/logs/tail.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let tail: LogTail | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-tail-'));
});
afterEach(async () => {
  await tail?.stop();
  tail = null;
  rmSync(dir, { recursive: true, force: true });
});

const until = (pred: () => boolean, what: string): Promise<unknown> =>
  waitFor(pred, {
    timeoutMs: 20_000,
    intervalMs: 20,
    what,
    lastSeen: () => `status ${tail?.lastStatus}; ${JSON.stringify(tail?.stats())}`,
  });

describe('LogTail', () => {
  it('batches a flood into a few frames, keeps the newest lines, and counts errors', async () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '');
    const frames: TailFrame[] = [];
    tail = openLogTail({
      source: { name: 'app', file },
      bufferLines: 1000,
      frameMs: 50,
      file: { pollMs: 20 },
      onFrame: (f) => frames.push(f),
    });
    await until(() => tail!.lastStatus.startsWith('following'), 'the file to be opened');
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      i % 100 === 0 ? `ERROR failure ${i}` : i % 10 === 0 ? `WARN slow ${i}` : `INFO ok ${i}`,
    );
    appendFileSync(file, `${lines.join('\n')}\n`);
    await until(() => tail!.stats().received === 20_000, 'all lines');
    await until(() => tail!.buffer.newestSeq === 19_999, 'the last frame');
    const dataFrames = frames.filter((f) => f.added > 0);
    expect(dataFrames.length).toBeLessThan(50); // 20,000 lines, a handful of frames
    expect(tail.buffer.size).toBe(1000);
    expect(tail.view(3).lines.map((l) => l.text)).toEqual(['INFO ok 19997', 'INFO ok 19998', 'INFO ok 19999']);
    expect(tail.stats()).toMatchObject({
      received: 20_000,
      errors: 200,
      warnings: 1800,
      errorsPerMinute: 200,
      dropped: 19_000,
    });
    expect(tail.setFilter('/(unclosed/')).toMatchObject({ ok: false });
    expect(tail.setFilter('failure 19')).toMatchObject({ ok: true });
    expect(tail.view(2).lines.map((l) => [l.text, l.level, l.ranges])).toEqual([
      ['ERROR failure 19800', 'error', [[6, 16]]],
      ['ERROR failure 19900', 'error', [[6, 16]]],
    ]);
  });

  it('pauses (the view holds still while lines arrive) and resumes at the newest line', async () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '');
    tail = openLogTail({ source: { name: 'app', file }, frameMs: 10, file: { pollMs: 20 } });
    await until(() => tail!.lastStatus.startsWith('following'), 'the file to be opened');
    appendFileSync(file, 'one\ntwo\n');
    await until(() => tail!.buffer.size === 2, 'two lines');
    tail.pause();
    appendFileSync(file, 'three\n');
    await until(() => tail!.buffer.size === 3, 'the third line');
    expect(tail.view(10)).toMatchObject({ lines: [{ text: 'one' }, { text: 'two' }], newer: 1 });
    tail.resume();
    expect(tail.view(10).lines.map((l) => l.text)).toEqual(['one', 'two', 'three']);
  });

  it('stops a command source and its process when the pane is left', async () => {
    const pidFile = path.join(dir, 'pid');
    tail = openLogTail({
      source: { name: 'cmd', command: ['sh', '-c', `echo $$ > ${pidFile}; while :; do echo "tick"; sleep 0.05; done`] },
      frameMs: 10,
    });
    await until(() => tail!.buffer.size >= 3, 'ticks');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await tail.stop();
    tail = null;
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('says so in words when a container source has no Docker', () => {
    tail = openLogTail({ source: { name: 'c', container: 'web' }, docker: null });
    expect(tail.ended).toEqual({ reason: 'Docker is not configured or not reachable', error: true });
  });
});
