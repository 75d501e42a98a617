// File-set restore wall time against `tar -xzf ARCHIVE -C FRESH_DIR` of the same archive, in the
// same run. The archive is the knowledge manual's data backup (`tar -czf data_TS.tar.gz -C DATA .`,
// system GNU tar) of BENCH_FILE_RESTORE_MB (default 1024) MB of files of mixed sizes (60 % under
// 16 kB, 30 % up to 512 kB, 10 % up to 8 MB) and realistic compressibility (log-like text, random
// bytes as in images and already-compressed files, and halves of each). opsdeck's figure is the
// whole restore: preflight (complete listing), extract into staging, verify every file (type, size,
// sha256, mode, owner), safety copy by rename, swap. Rounds interleaved, the order flipped every
// round, `sync` before each timed run so neither pays the other's writeback. Target: ≤ 1.15×.
// BENCH_FILE_RESTORE_DIR picks where it runs (default the OS temp dir).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executePlan } from '../src/plan/execute.js';
import { prepareFileRestore } from '../src/restore/files/plan.js';
import { MemoryAudit } from '../test/helpers/memory-audit.js';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

const MB = Number(process.env.BENCH_FILE_RESTORE_MB) || 1024;
const ROUNDS = Number(process.env.BENCH_FILE_RESTORE_RUNS) || 5;

/** Writes `total` bytes of files of mixed sizes and compressibility under `root` (deterministic sizes). */
function makeFiles(root: string, total: number): number {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const words = Array.from({ length: 2000 }, (_, i) =>
    createHash('md5')
      .update(String(i))
      .digest('hex')
      .slice(0, 3 + (i % 9)),
  );
  const text = (n: number): Buffer => {
    const parts: string[] = [];
    let len = 0;
    while (len < n) {
      const picked = Array.from({ length: 8 }, () => words[Math.floor(rnd() * rnd() * 2000)]).join(' ');
      const line = `${new Date(1.7e12 + len * 1000).toISOString()} INFO ${picked} id=${Math.floor(rnd() * 1e6)}\n`;
      parts.push(line);
      len += line.length;
    }
    return Buffer.from(parts.join('')).subarray(0, n);
  };
  let written = 0;
  let i = 0;
  while (written < total) {
    const r = rnd();
    const size =
      r < 0.6
        ? Math.floor(rnd() * 16384)
        : r < 0.9
          ? Math.floor(rnd() * 512 * 1024)
          : Math.floor(rnd() * 8 * 1024 * 1024);
    const dir = path.join(root, `d${i % 37}`, `s${i % 5}`);
    mkdirSync(dir, { recursive: true });
    const kind = rnd();
    const buf =
      kind < 0.6
        ? text(size)
        : kind < 0.8
          ? randomBytes(size)
          : Buffer.concat([text(size >> 1), randomBytes(size - (size >> 1))]);
    writeFileSync(path.join(dir, `f${i}.${kind < 0.6 ? 'log' : 'bin'}`), buf, { mode: 0o640 });
    written += size;
    i++;
  }
  return i;
}

function run0(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
}

export async function run(): Promise<Row[]> {
  const work = mkdtempSync(path.join(process.env.BENCH_FILE_RESTORE_DIR ?? tmpdir(), 'opsdeck-bench-frestore-'));
  try {
    const src = path.join(work, 'src');
    const count = makeFiles(src, MB * 1024 * 1024);
    const backups = path.join(work, 'kb');
    mkdirSync(path.join(backups, 'daily/20241227'), { recursive: true });
    const archive = path.join(backups, 'daily/20241227/data_20241227_030000.tar.gz');
    run0(['tar', '-czf', archive, '-C', src, '.']);
    rmSync(src, { recursive: true, force: true });
    const size = Number(spawnSync('stat', ['-c', '%s', archive], { encoding: 'utf8' }).stdout.trim());
    process.stderr.write(`bench: file-restore: ${count} files, ${MB} MB, archive ${(size / 2 ** 20).toFixed(0)} MB\n`);

    const target = path.join(work, 'srv', 'data');
    mkdirSync(path.dirname(target), { recursive: true });
    const fresh = path.join(work, 'fresh');
    const audit = new MemoryAudit();
    const approve = { check: () => ({ ok: true as const }) };
    const config = {
      files: [],
      existing: [{ dir: backups, database: 'bench', restore: { data: target } }],
      services: [],
      backupDir: path.join(work, 'opsdeck-backups'),
    };
    const clean = (): void => {
      for (const n of spawnSync('ls', [path.dirname(target)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean))
        rmSync(path.join(path.dirname(target), n), { recursive: true, force: true });
      rmSync(fresh, { recursive: true, force: true });
      // The target exists, as it would: its content is moved aside as the safety copy.
      mkdirSync(target);
      writeFileSync(path.join(target, 'old.txt'), 'old');
      run0(['sync']);
    };
    const baseline = (): number => {
      mkdirSync(fresh);
      const t0 = performance.now();
      run0(['tar', '-xzf', archive, '-C', fresh]);
      return (performance.now() - t0) / 1000;
    };
    const phases: Record<string, number[]> = { preflight: [], extract: [], verify: [] };
    const ours = async (): Promise<number> => {
      const t0 = performance.now();
      const prep = await prepareFileRestore({ backup: archive, config, audit });
      const t1 = performance.now();
      if (!prep.restore) throw new Error(`preflight failed: ${JSON.stringify(prep.checks)}`);
      const out = await executePlan(prep.restore.plan, { guard: approve, audit });
      if (out.result !== 'succeeded') throw new Error(`restore ${out.result}: ${out.error}`);
      const t2 = performance.now();
      phases.preflight!.push((t1 - t0) / 1000);
      for (const id of ['extract', 'verify']) {
        const s = out.steps.find((x) => x.id === id)!;
        phases[id]!.push(((s.endedAt ?? 0) - (s.startedAt ?? 0)) / 1000);
      }
      return (t2 - t0) / 1000;
    };
    // One warm-up each (page cache holds the archive for both from here on).
    clean();
    baseline();
    clean();
    await ours();
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['ours', 'tar'] : ['tar', 'ours'];
      for (const who of order) {
        clean();
        if (who === 'ours') a.push(await ours());
        else b.push(baseline());
      }
      process.stderr.write(
        `bench: file-restore round ${r + 1}: opsdeck ${a.at(-1)!.toFixed(2)} s, tar ${b.at(-1)!.toFixed(2)} s\n`,
      );
    }
    process.stderr.write(
      `bench: file-restore phases (median s): preflight ${median(phases.preflight!).toFixed(2)}, ` +
        `extract ${median(phases.extract!).toFixed(2)}, verify ${median(phases.verify!).toFixed(2)}\n`,
    );
    return [
      {
        name: `file-set restore ${MB} MB (${count} files), incl. verify`,
        unit: 's',
        opsdeck: median(a),
        baseline: median(b),
        baselineName: 'tar -xzf -C fresh dir',
        target: '≤ 1.15×',
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
