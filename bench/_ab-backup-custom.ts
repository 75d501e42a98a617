// Interleaved A/B of the backups against the bare shell pipelines, in one run: custom format
// (-Fc) against `pg_dump -Fc > file`, plain against `pg_dump | gzip > file`, with a timeline of
// where our extra milliseconds go. Not part of `npm run bench` (leading underscore).
//   node --import tsx bench/_ab-backup-custom.ts        ROUNDS=11 SCALE=20 VARIANTS=bare,ours,snap,gzip,plain
// Variants: bare — bash -c 'pg_dump -Fc > f'; ours — the custom backup job (count(*) of every
// table in the exported snapshot, beside pg_dump); snap — pg_dump -Fc --snapshot=<exported> --file
// --no-sync from our own connection, nothing else (the floor of any design that counts rows in
// the dump's snapshot); gzip — bash -c 'pg_dump | gzip > f'; plain — the plain backup job (counts
// from the stream). Each round runs every variant once, the order rotated by one per round.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pgBackupJob } from '../src/backup/pg-backup.js';
import { findPgTool, pgChildEnv, type PgTarget } from '../src/backup/pg-tools.js';
import { startPostgres } from '../src/sandbox/index.js';

function exec(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited with ${code}`))));
  });
}

const PLAIN = new Set(['gzip', 'plain']);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuOfServer = async (pid: number): Promise<number> => {
  // CPU (ms) of the postmaster and its children: its own, its live children's, and — through its
  // cutime/cstime — the backends that have exited since.
  const { readdirSync, readFileSync } = await import('node:fs');
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      if (Number(d) !== pid && ppid !== pid) continue;
      ticks += Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    } catch {
      // gone
    }
  }
  return ticks * 10;
};

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 11);
  const scale = process.env.SCALE ?? '20';
  const variants = (process.env.VARIANTS ?? 'bare,ours,snap,gzip,plain').split(',');
  const server = await startPostgres({ database: 'bench' });
  const work = mkdtempSync(path.join(tmpdir(), 'opsdeck-ab-custom-'));
  try {
    const target: PgTarget = { host: server.host, port: server.port, user: 'postgres', database: 'bench' };
    const env = pgChildEnv(target);
    await exec([findPgTool('psql').replace(/psql$/, 'pgbench'), '-i', '-q', '-s', scale], env);
    await exec([findPgTool('psql'), '-q', '-c', 'VACUUM ANALYZE'], env);
    const pgDump = findPgTool('pg_dump');
    const out = path.join(work, 'bare.dump');
    const { readFileSync } = await import('node:fs');
    const postmaster = Number(readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const run: Record<string, () => Promise<Record<string, number>>> = {
      bare: async () => {
        await exec(['bash', '-c', '"$0" -Fc > "$1"', pgDump, out], env);
        return {};
      },
      ours: () => ours('custom'),
      gzip: async () => {
        await exec(['bash', '-c', '"$0" | gzip > "$1"', pgDump, out], env);
        return {};
      },
      plain: () => ours('plain'),
      snap: async () => {
        const c = new pg.Client({ host: target.host, port: target.port, user: target.user, database: target.database });
        await c.connect();
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const id = (await c.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
        await exec([pgDump, '-Fc', `--snapshot=${id}`, `--file=${out}`, '--no-sync'], env);
        await c.end();
        return {};
      },
    };
    async function ours(format: 'plain' | 'custom'): Promise<Record<string, number>> {
      const t0 = performance.now();
      const marks: Record<string, number> = {};
      // When pg_dump has exited (checked every 10 ms): what follows it is ours alone (the rest of
      // the counts, fsync, read-back hash, pg_restore --list, publish).
      const watchExit = (pid: number): void => {
        const timer = setInterval(() => {
          try {
            process.kill(pid, 0);
          } catch {
            marks.exited = performance.now() - t0;
            clearInterval(timer);
          }
        }, 10);
      };
      const job = pgBackupJob({
        root: path.join(work, 'opsdeck'),
        target,
        kind: 'full',
        format,
        pgDump,
        onSpawn: (pid) => {
          marks.spawn = performance.now() - t0;
          watchExit(pid);
        },
      });
      const rec = await (async () => {
        const signal = new AbortController().signal;
        await job.preflight(signal);
        marks.preflight = performance.now() - t0;
        await job.dump(signal);
        marks.dump = performance.now() - t0;
        await job.verify(signal);
        marks.verify = performance.now() - t0;
        const r = await job.publish();
        marks.publish = performance.now() - t0;
        return r;
      })();
      rmSync(rec.path);
      rmSync(`${rec.path}.json`);
      if (rec.meta.rowCounts?.['public.pgbench_accounts'] !== Number(scale) * 100_000)
        throw new Error(`wrong count ${JSON.stringify(rec.meta.rowCounts)}`);
      if (rec.meta.rowCountMethod !== (format === 'custom' ? 'exported-snapshot' : 'dump-stream'))
        throw new Error(`counted by ${rec.meta.rowCountMethod}`);
      return marks;
    }
    for (const v of variants) await run[v]!();
    const wall: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
    const marks: Record<string, number[]> = {};
    const cpuOurs: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
      for (const v of order) {
        const c0 = process.cpuUsage();
        const s0 = await cpuOfServer(postmaster);
        const t0 = performance.now();
        const m = await run[v]!();
        wall[v]!.push(performance.now() - t0);
        const c1 = process.cpuUsage(c0);
        const s1 = await cpuOfServer(postmaster);
        cpu[v]!.push((c1.user + c1.system) / 1000 + (s1 - s0));
        (cpuOurs[v] ??= []).push((c1.user + c1.system) / 1000);
        for (const [k, x] of Object.entries(m)) (marks[`${v}.${k}`] ??= []).push(x);
        rmSync(out, { force: true });
      }
    }
    // Custom variants against the bare -Fc, plain ones against the bare gzip pipeline.
    const baseOf = (v: string): number => median(wall[PLAIN.has(v) ? 'gzip' : 'bare'] ?? wall[v]!);
    const ratios = variants.map((v) => `${v}/${PLAIN.has(v) ? 'gzip' : 'bare'}`).join(', ');
    process.stdout.write(`${rounds} rounds, pgbench -s ${scale}; ratios: ${ratios}\n`);
    // Each round's ratio to its baseline of the same round (run minutes apart at most): steadier than
    // the ratio of medians while other work on the machine comes and goes.
    const paired = (v: string): number => {
      const b = wall[PLAIN.has(v) ? 'gzip' : 'bare'] ?? wall[v]!;
      return median(wall[v]!.map((x, r) => x / b[r]!));
    };
    for (const v of variants) {
      const wallMs = median(wall[v]!);
      const pairedRatio = paired(v).toFixed(3);
      const ratio = (wallMs / baseOf(v)).toFixed(3);
      const cpuText = `ours+server cpu ${median(cpu[v]!).toFixed(0)} ms, ours ${median(cpuOurs[v]!).toFixed(0)}`;
      const perRound = wall[v]!.map((x) => x.toFixed(0)).join(' ');
      process.stdout.write(
        `${v.padEnd(6)} paired ${pairedRatio}×  wall ${wallMs.toFixed(0)} ms  ${ratio}×  (${cpuText})  [${perRound}]\n`,
      );
    }
    for (const [k, xs] of Object.entries(marks))
      process.stdout.write(`  ${k.padEnd(16)} ${median(xs).toFixed(1)} ms\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
