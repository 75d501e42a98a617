// The journal source against a real journal: entries written with systemd-journal-remote (journal
// export format on stdin), followed with the real `journalctl -f -o json --directory`. Priorities
// give the marks, a byte-array MESSAGE is decoded, -u and -p select, a killed journalctl is
// started again after the last entry seen, and a missing journalctl says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followJournal, journalArgs, parseJournalLine, type JournalStream } from '../../src/logs/journal-follow.js';
import { openLogTail, type LogTail } from '../../src/logs/tail.js';
import type { SourceSink } from '../../src/logs/types.js';
import { checkRequirement } from '../../src/sandbox/requirements.js';
import { waitFor } from '../helpers/wait.js';

const req = checkRequirement('journal-remote');
// A missing program is a failing test, never a skip.
const REMOTE = req.path ?? 'systemd-journal-remote (install Debian package systemd-journal-remote)';
let dir: string;
let tail: LogTail | null = null;
let stream: JournalStream | null = null;
let mono = 1000;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-journal-'));
});
afterEach(async () => {
  await tail?.stop();
  await stream?.stop();
  tail = null;
  stream = null;
  rmSync(dir, { recursive: true, force: true });
});

interface Entry {
  message: string | Buffer;
  priority: number;
  unit?: string;
}

/** Appends entries to DIR/x.journal through the real systemd-journal-remote. */
function write(entries: Entry[]): void {
  const parts: Buffer[] = [];
  for (const e of entries) {
    mono += 1000;
    const head = [
      `__REALTIME_TIMESTAMP=${Date.now() * 1000}`,
      `__MONOTONIC_TIMESTAMP=${mono}`,
      '_BOOT_ID=0123456789abcdef0123456789abcdef',
      `PRIORITY=${e.priority}`,
      'SYSLOG_IDENTIFIER=api',
      `_SYSTEMD_UNIT=${e.unit ?? 'api.service'}`,
    ].join('\n');
    parts.push(Buffer.from(`${head}\n`));
    if (typeof e.message === 'string') parts.push(Buffer.from(`MESSAGE=${e.message}\n`));
    else {
      // Binary field: name, newline, little-endian 64-bit length, the bytes, newline.
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(e.message.length));
      parts.push(Buffer.from('MESSAGE\n'), len, e.message, Buffer.from('\n'));
    }
    parts.push(Buffer.from('\n'));
  }
  const r = spawnSync(REMOTE, [`--output=${path.join(dir, 'x.journal')}`, '-'], { input: Buffer.concat(parts) });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed: ${r.error?.message ?? r.stderr.toString()}`);
}

const texts = (t: LogTail): string[] => t.view(1000).lines.map((l) => l.text);

describe('journal source (real journalctl over a journal written by systemd-journal-remote)', () => {
  it('follows entries, marks priorities 0-3 ERROR and 4 WARN, decodes byte-array messages', async () => {
    write([
      { message: 'worker started', priority: 6 },
      { message: 'database unreachable', priority: 3 },
      { message: 'disk almost full', priority: 4 },
    ]);
    tail = openLogTail({ source: { name: 'api', journal: { directory: dir } }, frameMs: 5 });
    await waitFor(() => texts(tail!).length === 3, {
      what: 'the three entries',
      lastSeen: () => texts(tail!).join('\n'),
    });
    // New entries appended while following arrive too; one is not valid UTF-8 text (a byte array in JSON).
    write([
      { message: 'kernel: out of memory', priority: 2 },
      { message: Buffer.from([0x62, 0x69, 0x6e, 0x01, 0x20, 0xc3, 0xa9]), priority: 5 },
      { message: 'ERROR in the text at priority 6', priority: 6 },
    ]);
    await waitFor(() => texts(tail!).length === 6, { what: 'six entries', lastSeen: () => texts(tail!).join('\n') });
    const lines = tail.view(1000).lines;
    expect(lines.map((l) => l.text.replace(/^\w{3} \d\d \d\d:\d\d:\d\d /, ''))).toEqual([
      'api: worker started',
      'api: database unreachable',
      'api: disk almost full',
      'api: kernel: out of memory',
      'api: bin é',
      'api: ERROR in the text at priority 6',
    ]);
    expect(lines.map((l) => l.level)).toEqual(['info', 'error', 'warn', 'error', 'info', 'error']);
    expect(tail.stats().errors).toBe(3);
    expect(tail.stats().warnings).toBe(1);
  });

  it('selects by unit (-u) and priority (-p)', async () => {
    write([
      { message: 'api fine', priority: 6 },
      { message: 'api broken', priority: 3 },
      { message: 'nginx broken', priority: 3, unit: 'nginx.service' },
      { message: 'api warning', priority: 4 },
    ]);
    tail = openLogTail({
      source: { name: 'api', journal: { directory: dir, unit: 'api.service', priority: 'warning' } },
      frameMs: 5,
    });
    await waitFor(() => texts(tail!).length === 2, {
      what: 'api entries at warning or worse',
      lastSeen: () => texts(tail!).join('\n'),
    });
    expect(texts(tail).map((t) => t.replace(/^.*api: /, ''))).toEqual(['api broken', 'api warning']);
  });

  it('starts journalctl again after it dies, after the last entry seen (no line twice)', async () => {
    write([{ message: 'one', priority: 6 }]);
    const got: string[] = [];
    const status: string[] = [];
    const sink: SourceSink = {
      lines: (ls) => got.push(...ls),
      status: (s) => status.push(s),
      end: (r) => status.push(`END ${r}`),
    };
    stream = followJournal({ directory: dir }, sink, { restartMs: 50 });
    await waitFor(() => got.length === 1);
    const first = stream.pid!;
    process.kill(first, 'SIGKILL');
    await waitFor(() => status.some((s) => s.includes('starting it again')), {
      what: 'a restart notice',
      lastSeen: () => status.join('\n'),
    });
    await waitFor(() => stream!.pid !== first && stream!.pid !== undefined);
    write([{ message: 'two', priority: 6 }]);
    await waitFor(() => got.length >= 2, { what: 'the entry after the restart', lastSeen: () => got.join('\n') });
    expect(got.map((t) => t.replace(/^.*api: /, ''))).toEqual(['one', 'two']);
  });

  it('says clearly when journalctl is missing', async () => {
    tail = openLogTail({
      source: { name: 'j', journal: {} },
      journal: { journalctl: path.join(dir, 'no-journalctl') },
      frameMs: 5,
    });
    await waitFor(() => tail!.ended);
    expect(tail.ended).toEqual({
      reason: expect.stringMatching(/^journalctl not found .*install systemd/),
      error: true,
    });
  });

  it('builds an argument vector and parses json lines', () => {
    expect(journalArgs({ unit: 'nginx.service', priority: 3, file: '/x.journal' })).toEqual([
      '-f',
      '-o',
      'json',
      '--no-pager',
      '-n',
      '100',
      '-u',
      'nginx.service',
      '-p',
      '3',
      '--file',
      '/x.journal',
    ]);
    expect(journalArgs({}, { afterCursor: 'c1' })).toContain('--after-cursor=c1');
    expect(parseJournalLine('not json')).toBeNull();
    expect(parseJournalLine('{"MESSAGE":null,"PRIORITY":"4"}')).toMatchObject({ text: '', level: 'warn' });
  });
});
