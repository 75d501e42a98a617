// Restore and drill wall time on a pgbench database (pgbench -i -s $BENCH_PGBENCH_SCALE, default
// 20) in a throwaway PostgreSQL, against the bare pipeline of the manual's restore-db.sh measured
// in the same run: `psql -c 'DROP DATABASE …'; psql -c 'CREATE DATABASE …'; gunzip -c f | psql`
// (a shell, for the BASELINE only). The safety dump is measured separately, against
// `pg_dump | gzip`. Median of $BENCH_RESTORE_RUNS (default 5), runs interleaved and the order
// flipped every run (whoever goes second inherits the first one's dirty buffers). Target: ≤ 1.1×.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBackupJob } from '../src/backup/job.js';
import { pgBackupJob } from '../src/backup/pg-backup.js';
import { findPgTool, type PgTarget } from '../src/backup/pg-tools.js';
import { runDrill } from '../src/restore/drill.js';
import { executeRestore } from '../src/restore/execute.js';
import { prepareRestore, safetyRootFor } from '../src/restore/plan.js';
import type { RestoreSnapshot } from '../src/restore/types.js';
import { findPostgresBin, startPostgres } from '../src/sandbox/index.js';
import { MemoryAudit } from '../test/helpers/memory-audit.js';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

const SCALE = Number(process.env.BENCH_PGBENCH_SCALE) || 20;
const RUNS = Number(process.env.BENCH_RESTORE_RUNS) || 5;
const DB = 'bench';

function sh(script: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', script, 'sh', ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`baseline failed (${r.status}): ${r.stderr.slice(-500)}`);
  return performance.now() - t0;
}

const stepMs = (s: RestoreSnapshot, ids: string[]): number =>
  s.steps.filter((x) => ids.includes(x.id)).reduce((a, x) => a + ((x.endedAt ?? 0) - (x.startedAt ?? 0)), 0);

/** Restore wall time (safety dump apart) and drill wall time against the bare pipeline. */
export async function run(): Promise<Row[]> {
  const pg = await startPostgres({ database: DB, settings: { max_wal_size: '1GB', checkpoint_timeout: '15min' } });
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-restore-'));
  try {
    const conn: PgTarget = { host: pg.host, port: pg.port, user: 'postgres', database: 'postgres' };
    const env = { ...process.env, PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: 'postgres' };
    const bin = findPostgresBin();
    const init = spawnSync(bin ? path.join(bin, 'pgbench') : 'pgbench', ['-i', '-q', '-s', String(SCALE), DB], {
      env,
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    const root = path.join(dir, 'backups');
    const file = (
      await runBackupJob(pgBackupJob({ root, target: { ...conn, database: DB }, kind: 'full', format: 'plain' }), {
        skipPreflight: true,
      })
    ).path;
    const psql = findPgTool('psql');
    const pgDump = findPgTool('pg_dump');
    const baselineRestore = (): number =>
      sh(
        '"$1" -X -q -d postgres -c "DROP DATABASE IF EXISTS $2" && ' +
          '"$1" -X -q -d postgres -c "CREATE DATABASE $2" && ' +
          'gunzip -c "$3" | "$1" -X -q -d "$2" >/dev/null',
        [psql, DB, file],
        env,
      );
    const baselineDump = (): number =>
      sh(`"$1" -d "$2" | gzip > "$3"`, [pgDump, DB, path.join(dir, 'baseline.sql.gz')], env);
    const baselineDrill = (): number =>
      sh(
        '"$1" -X -q -d postgres -c "CREATE DATABASE $2_drill" && ' +
          'gunzip -c "$3" | "$1" -X -q -d "$2_drill" >/dev/null && ' +
          '"$1" -X -q -d postgres -c "DROP DATABASE $2_drill"',
        [psql, DB, file],
        env,
      );
    const ours = async (): Promise<RestoreSnapshot> => {
      const { restore, report } = await prepareRestore({
        backup: file,
        database: DB,
        conn,
        safetyRoot: safetyRootFor(root),
      });
      if (!restore)
        throw new Error(
          `preflight failed: ${report.checks
            .filter((c) => c.status === 'fail')
            .map((c) => c.detail)
            .join('; ')}`,
        );
      const s = await executeRestore(restore, {
        guard: { check: () => ({ ok: true }) },
        audit: new MemoryAudit(),
        confirmAt: 'start',
        confirm: async (q) => (q.kind === 'type' ? q.expect : 'y'),
      });
      if (s.result !== 'succeeded') throw new Error(`restore failed: ${s.summary.join(' / ')}`);
      rmSync(safetyRootFor(root), { recursive: true, force: true });
      return s;
    };
    const load: number[] = [];
    const plan: number[] = [];
    const dump: number[] = [];
    const base: number[] = [];
    const baseDump: number[] = [];
    const drill: number[] = [];
    const baseDrill: number[] = [];
    const oursOnce = async (): Promise<void> => {
      const s = await ours();
      load.push(stepMs(s, ['recreate', 'load']));
      plan.push(
        stepMs(
          s,
          s.steps.map((x) => x.id).filter((id) => id !== 'safety-dump'),
        ),
      );
      dump.push(stepMs(s, ['safety-dump']));
      const t0 = performance.now();
      const d = await runDrill({
        backup: file,
        conn,
        guard: { check: () => ({ ok: true }) },
        audit: new MemoryAudit(),
      });
      if (d.result !== 'succeeded') throw new Error(`drill failed: ${d.summary.join(' / ')}`);
      drill.push(performance.now() - t0);
    };
    const baseOnce = (): void => {
      base.push(baselineRestore());
      baseDump.push(baselineDump());
      baseDrill.push(baselineDrill());
    };
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        await oursOnce();
        baseOnce();
      } else {
        baseOnce();
        await oursOnce();
      }
      const last = (xs: number[]) => xs.at(-1)!.toFixed(0);
      process.stderr.write(
        `bench: restore-wall run ${i + 1}: load ${last(load)} ms, plan ${last(plan)} ms, baseline ${last(base)} ms; ` +
          `safety dump ${last(dump)} ms vs ${last(baseDump)} ms; drill ${last(drill)} ms vs ${last(baseDrill)} ms\n`,
      );
    }
    const s = `pgbench -s ${SCALE}, median of ${RUNS}`;
    const pipe = 'drop+create, gunzip -c | psql';
    return [
      {
        name: `restore: drop/recreate + load (${s})`,
        unit: 's',
        opsdeck: median(load) / 1000,
        baseline: median(base) / 1000,
        baselineName: pipe,
        target: '≤ 1.1×',
      },
      {
        name: `restore: all steps but the safety dump (${s})`,
        unit: 's',
        opsdeck: median(plan) / 1000,
        baseline: median(base) / 1000,
        baselineName: pipe,
        target: '≤ 1.1×',
      },
      {
        name: `restore: safety dump, verified (${s})`,
        unit: 's',
        opsdeck: median(dump) / 1000,
        baseline: median(baseDump) / 1000,
        baselineName: 'pg_dump | gzip',
      },
      {
        name: `drill: whole drill incl. preflight verify (${s})`,
        unit: 's',
        opsdeck: median(drill) / 1000,
        baseline: median(baseDrill) / 1000,
        baselineName: 'createdb, gunzip | psql, dropdb',
      },
    ];
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
