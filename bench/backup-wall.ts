// Backup wall time against the bare shell pipelines on the same database, in the same run:
//   plain:  opsdeck (pg_dump → in-process gzip, row counts from the stream, verify, publish)
//           vs `pg_dump | gzip > file`
//   custom: opsdeck (pg_dump -Fc --file, count(*) in the exported snapshot beside it,
//           pg_restore --list, sha256, publish) vs `pg_dump -Fc > file`
// on a pgbench database (BENCH_PGBENCH_SCALE, default 20 ≈ 300 MB) in a throwaway PostgreSQL.
// All four interleaved: each round runs each once, in an order rotated by one per round (so each
// runs in every position, not always first on a cold cache), after one warm-up each.
// Medians of BENCH_RUNS (default 3) rounds. Targets: plain ≤ 1.05×, custom ≤ 1.10×.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBackupJob } from '../src/backup/job.js';
import { pgBackupJob } from '../src/backup/pg-backup.js';
import { findPgTool, pgChildEnv, type PgTarget } from '../src/backup/pg-tools.js';
import { startPostgres } from '../src/sandbox/index.js';
import type { Row } from './types.js';

function exec(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited with ${code}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Row[]> {
  const scale = process.env.BENCH_PGBENCH_SCALE ?? '20';
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const server = await startPostgres({ database: 'bench' });
  const work = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-backup-'));
  try {
    const target: PgTarget = { host: server.host, port: server.port, user: 'postgres', database: 'bench' };
    const env = pgChildEnv(target);
    process.stderr.write(`bench: pgbench -i -s ${scale} …\n`);
    await exec([findPgTool('psql').replace(/psql$/, 'pgbench'), '-i', '-q', '-s', scale], env).catch(() =>
      exec(['pgbench', '-i', '-q', '-s', scale], env),
    );
    const pgDump = findPgTool('pg_dump');
    const out = path.join(work, 'baseline.out');
    // The baselines are the operator's shell one-liners; bash only ever sees these fixed strings and "$0"/"$1".
    const shellPlain = (): Promise<void> => exec(['bash', '-c', '"$0" | gzip > "$1"', pgDump, out], env);
    const shellCustom = (): Promise<void> => exec(['bash', '-c', '"$0" -Fc > "$1"', pgDump, out], env);
    const ours = (format: 'plain' | 'custom') => async (): Promise<void> => {
      const rec = await runBackupJob(
        pgBackupJob({ root: path.join(work, 'opsdeck'), target, kind: 'full', format, pgDump }),
      );
      rmSync(rec.path);
      rmSync(`${rec.path}.json`);
    };
    const cases = [
      {
        name: 'backup wall time, plain (.sql.gz)',
        baselineName: 'pg_dump | gzip > file',
        base: shellPlain,
        mine: ours('plain'),
        target: '≤ 1.05×',
      },
      {
        name: 'backup wall time, custom (-Fc)',
        baselineName: 'pg_dump -Fc > file',
        base: shellCustom,
        mine: ours('custom'),
        target: '≤ 1.10×',
      },
    ];
    const variants = cases.flatMap((c, i) => [
      { key: `${i}.base`, run: c.base },
      { key: `${i}.mine`, run: c.mine },
    ]);
    for (const v of variants) await v.run();
    const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.key, []]));
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < variants.length; j++) {
        const v = variants[(j + r) % variants.length]!;
        times[v.key]!.push(await timed(v.run));
      }
    }
    const rows: Row[] = [];
    for (const [i, c] of cases.entries()) {
      const m = times[`${i}.mine`]!;
      const b = times[`${i}.base`]!;
      const mine = m.map((x) => x.toFixed(2)).join(' ');
      const base = b.map((x) => x.toFixed(2)).join(' ');
      process.stderr.write(`bench: ${c.name}: opsdeck ${mine} s, baseline ${base} s\n`);
      rows.push({
        name: `${c.name}, pgbench -s ${scale}`,
        unit: 's',
        opsdeck: median(m),
        baseline: median(b),
        baselineName: c.baselineName,
        target: c.target,
      });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}
