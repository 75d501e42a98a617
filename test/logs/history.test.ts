// Log history over files rotated by the real logrotate (create and copytruncate, compress,
// delaycompress): searched newest file first, streaming, cancellable; errors per hour equal to
// the manual's `awk '/ERROR/ {print substr($1,1,13)}' | sort | uniq -c` over the same files.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorsPerHour, rotatedFiles, searchHistory, type HistoryMatch } from '../../src/logs/history.js';
import { lineTime, parseDuration } from '../../src/logs/timestamps.js';
import { checkRequirement } from '../../src/sandbox/requirements.js';

const LOGROTATE = checkRequirement('logrotate').path ?? 'logrotate (install Debian package logrotate)';
let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-history-'));
  log = path.join(dir, 'app.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One forced rotation by the real logrotate with its own state file. */
function logrotate(mode: 'create' | 'copytruncate'): void {
  const conf = path.join(dir, 'rotate.conf');
  writeFileSync(conf, `${log} {\n  rotate 10\n  compress\n  delaycompress\n  missingok\n  ${mode}\n}\n`);
  const r = spawnSync(LOGROTATE, ['-f', '-s', path.join(dir, 'state'), conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`logrotate failed: ${r.error?.message ?? r.stderr}`);
}

const HOUR = 3_600_000;

/** Writes `n` lines of generation `gen` (an hour each, oldest generation first), every 3rd one an ERROR. */
function writeGeneration(gen: number, n: number, base: number): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(base + gen * HOUR + i * 1000).toISOString();
    lines.push(`${t} ${i % 3 === 0 ? 'ERROR' : 'INFO'} gen=${gen} line=${i} request handled`);
  }
  appendFileSync(log, lines.join('\n') + '\n');
}

describe('rotated and compressed history', () => {
  it('searches logrotate-made files (create and copytruncate) newest first, .gz included', async () => {
    const base = Date.now() - 10 * HOUR;
    for (let gen = 0; gen < 5; gen++) {
      writeGeneration(gen, 30, base);
      if (gen < 4) logrotate(gen % 2 === 0 ? 'create' : 'copytruncate');
    }
    const files = await rotatedFiles(log);
    expect(files.map((f) => path.basename(f.path))).toEqual([
      'app.log',
      'app.log.1',
      'app.log.2.gz',
      'app.log.3.gz',
      'app.log.4.gz',
    ]);
    expect(files.map((f) => f.compressed)).toEqual([false, false, true, true, true]);
    const got: HistoryMatch[] = [];
    const r = await searchHistory(files, /line=2\d /, { onMatches: (m) => got.push(...m) });
    expect(r).toMatchObject({ files: 5, matches: 50, cancelled: false });
    // Newest generation (the live file) first, each file in its own order.
    const gens = got.map((m) => Number(/gen=(\d)/.exec(m.text)![1]));
    expect(gens).toEqual([
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      3,
      3,
      3,
      3,
      3,
      3,
      3,
      3,
      3,
      3,
      ...[2, 1, 0].flatMap((g) => Array(10).fill(g)),
    ]);
    expect(got[0]!.text).toMatch(/gen=4 line=20 /);
    expect(got.at(-1)!.file).toBe(path.join(dir, 'app.log.4.gz'));
    // A match never spans lines; ^ and $ are line bounds.
    const anchored: HistoryMatch[] = [];
    await searchHistory(files, /request handled$\n?^\d/, { onMatches: (m) => anchored.push(...m) });
    expect(anchored).toEqual([]);
    const starts: HistoryMatch[] = [];
    await searchHistory(files, /^\S+ ERROR gen=0 line=0 /, { onMatches: (m) => starts.push(...m) });
    expect(starts.map((m) => path.basename(m.file))).toEqual(['app.log.4.gz']);
  });

  it('--since skips what is older, by line time and by file', async () => {
    const now = Date.now();
    writeFileSync(
      log,
      [
        `${new Date(now - 3 * HOUR).toISOString()} ERROR old`,
        `${new Date(now - 60_000).toISOString()} ERROR new`,
        '  continuation of new ERROR',
      ].join('\n') + '\n',
    );
    const got: string[] = [];
    await searchHistory(await rotatedFiles(log), /ERROR/, {
      since: now - HOUR,
      now,
      onMatches: (m) => got.push(...m.map((x) => x.text)),
    });
    expect(got).toEqual([expect.stringMatching(/ERROR new$/), '  continuation of new ERROR']);
  });

  it('cancels mid-search: stops reading, says so, hands over only what it found', async () => {
    const big =
      Array.from({ length: 40_000 }, (_, i) => `2026-12-04T10:00:00Z ERROR filler line ${i} ${'x'.repeat(60)}`).join(
        '\n',
      ) + '\n';
    for (let gen = 0; gen < 4; gen++) {
      writeFileSync(log, big);
      logrotate('create');
    }
    writeFileSync(log, big);
    const files = await rotatedFiles(log);
    expect(files).toHaveLength(5);
    const ac = new AbortController();
    let matches = 0;
    const seen: string[] = [];
    const r = await searchHistory(files, /filler/, {
      signal: ac.signal,
      onFile: (f) => seen.push(f.path),
      onMatches: (m) => {
        matches += m.length;
        ac.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(matches).toBeGreaterThan(0);
    expect(matches).toBeLessThan(40_000);
    expect(seen).toEqual([log]);
  });

  it('errors per hour equal awk | sort | uniq -c over the same rotated files', async () => {
    const now = Date.now();
    const base = Math.floor(now / HOUR) * HOUR - 6 * HOUR + 17 * 60_000;
    for (let gen = 0; gen < 6; gen++) {
      writeGeneration(gen, 200 + gen * 7, base);
      logrotate(gen % 2 ? 'copytruncate' : 'create');
    }
    writeGeneration(6, 50, base);
    const files = await rotatedFiles(log);
    const eph = await errorsPerHour(files, { now });
    const mine = new Map(
      eph.hours.filter((h) => h.errors > 0).map((h) => [new Date(h.hour).toISOString().slice(0, 13), h.errors]),
    );
    const cat = files.map((f) => `${f.compressed ? 'zcat' : 'cat'} '${f.path}'`).join('; ');
    const awk = spawnSync('sh', ['-c', `(${cat}) | awk '/ERROR/ {print substr($1,1,13)}' | sort | uniq -c`], {
      encoding: 'utf8',
    });
    const theirs = new Map(
      awk.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([n, h]) => [h!, Number(n)] as const),
    );
    expect(theirs.size).toBe(7);
    expect(mine).toEqual(theirs);
    expect(eph.hours).toHaveLength(24);
  });

  it("lines without a time take the previous line's; unknown ones are counted apart", async () => {
    const now = Date.UTC(2026, 11, 4, 12, 30);
    writeFileSync(
      log,
      [
        'Traceback (most recent call last):', // no time before it in its file
        '2026-12-04T10:05:00Z INFO ok',
        'Traceback (most recent call last):',
        '  File "app.py", line 3, in <module>',
        '2026-12-04T11:59:59Z ERROR x',
      ].join('\n') + '\n',
    );
    const eph = await errorsPerHour(await rotatedFiles(log), { now, hours: 3 });
    expect(eph.hours.map((h) => h.errors)).toEqual([1, 1, 0]);
    expect(eph.untimed).toBe(1);
  });
});

describe('line times', () => {
  const now = Date.UTC(2026, 11, 4, 20, 0);
  it('reads ISO, syslog and nginx/common log times', () => {
    expect(lineTime('2026-12-04T19:55:01.250Z x', now)).toBe(Date.UTC(2026, 11, 4, 19, 55, 1, 250));
    expect(lineTime('2026-12-04 19:55:01,5+01:00 x', now)).toBe(Date.UTC(2026, 11, 4, 18, 55, 1, 500));
    expect(lineTime('10.0.0.1 - - [04/Dec/2026:19:55:01 +0100] "GET / HTTP/1.1" 200', now)).toBe(
      Date.UTC(2026, 11, 4, 18, 55, 1),
    );
    expect(lineTime('Dec  4 19:55:01 host sshd[1]: x', now)).toBe(new Date(2026, 11, 4, 19, 55, 1).getTime());
    // A syslog time later than tomorrow is last year's.
    expect(lineTime('Dec 30 10:00:00 host x', Date.UTC(2027, 0, 2))).toBe(new Date(2026, 11, 30, 10).getTime());
    expect(lineTime('  at Foo.bar()', now)).toBeUndefined();
  });
  it('parses durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
