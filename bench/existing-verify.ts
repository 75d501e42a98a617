// Background verification of another tool's backups (backups.existing): CPU per GB of backup
// file and the priority it really runs at. A throwaway PostgreSQL gets a table of realistic,
// mixed-entropy rows ($BENCH_EXISTING_ROWS, default 2.5 M: a pg_dump of about 350 MB), dumped by
// the ITSM manual's own pipeline `pg_dump DB | gzip > full_backup_TS.sql.gz` (two children piped
// with argument vectors). Then, interleaved, $BENCH_EXISTING_RUNS times (default 3), with the
// page cache warm for every contender alike:
//   opsdeck   checkExisting(file, 'plain', { lowPriority: true }) — what the background verifier
//             runs: sha256 (openssl) + `igzip -dc | tail -c 4096` under `ionice -c 3 nice -n 19`
//   baseline  `gzip -t FILE` (GNU gzip, the CRC check alone)
//   and side by side: opsdeck's checks with GNU gzip as the decompressor, Node's zlib in process
//   (checkPlainGz, what `verify` does for opsdeck's own backups), and `igzip -t` alone.
// Cost = the children's user+system CPU (cutime+cstime of this process in /proc/self/stat: every
// child is waited for) plus opsdeck's own CPU for the in-process parts, divided by the file's
// size in GB (10^9 bytes). Target (issue 14): ≤ 1 core-second per GB of backup at lowest priority.
// The priority is read back from /proc/PID/stat (nice, field 19) and `ionice -p PID` while the
// decompressor runs.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkExisting } from '../src/backup/existing-verify.js';
import { findPgTool } from '../src/backup/pg-tools.js';
import { checkPlainGz } from '../src/backup/verify-checks.js';
import { startPostgres } from '../src/sandbox/index.js';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

const ROWS = Number(process.env.BENCH_EXISTING_ROWS) || 2_500_000;
const RUNS = Number(process.env.BENCH_EXISTING_RUNS) || 3;
const DB = 'bench';
const TICK = 100; // USER_HZ on Linux

/** CPU seconds of this process's waited-for children so far (cutime + cstime). */
function childrenCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): cutime is field 16, cstime field 17.
  return (Number(rest[13]) + Number(rest[14])) / TICK;
}

const selfCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU seconds (children + self) of `fn`. */
async function cpuOf(fn: () => Promise<unknown>): Promise<{ children: number; self: number }> {
  const c0 = childrenCpu();
  const s0 = selfCpu();
  await fn();
  return { children: childrenCpu() - c0, self: selfCpu() - s0 };
}

function exec(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`${argv[0]} exit ${code}`))));
  });
}

/** `pg_dump DB | gzip > out`, argv only. */
function dumpPipeline(env: NodeJS.ProcessEnv, out: string): Promise<void> {
  const dump = spawn(findPgTool('pg_dump'), [DB], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const zip = spawn('gzip', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const file = createWriteStream(out);
  dump.stdout.pipe(zip.stdin);
  zip.stdout.pipe(file);
  const exit = (c: ReturnType<typeof spawn>): Promise<void> =>
    new Promise((res, rej) => c.on('close', (code) => (code === 0 ? res() : rej(new Error(`exit ${code}`)))));
  return Promise.all([exit(dump), exit(zip), new Promise<void>((r) => file.on('close', () => r()))]).then(
    () => undefined,
  );
}

interface Seen {
  comm: string;
  nice: number;
  ioclass: string;
}

/** Reads the priority of a running child once it has exec'd its tool: nice from /proc, class from `ionice -p`. */
async function watchPriority(pid: number, tool: string, seen: Seen[]): Promise<void> {
  for (let i = 0; i < 400; i++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return; // gone
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (comm === tool) {
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const nice = Number(fields[16]); // field 19
      const io = spawnSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
      seen.push({ comm, nice, ioclass: io });
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Core-seconds per GB of the background verification, its alternatives and `gzip -t`. */
export async function run(): Promise<Row[]> {
  const pg = await startPostgres({ database: DB, settings: { max_wal_size: '2GB', checkpoint_timeout: '15min' } });
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-existing-'));
  try {
    const env = { ...process.env, PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: 'postgres' };
    const psql = (sql: string): void => {
      const r = spawnSync(findPgTool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', DB, '-c', sql], {
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
    };
    // Tickets as a help desk keeps them: ids, timestamps, a status word, a customer, an amount, a hash and free text.
    psql(
      'CREATE TABLE tickets (id bigint PRIMARY KEY, created timestamptz, status text, customer text, ' +
        'amount numeric(12,2), ref text, body text)',
    );
    psql(
      `INSERT INTO tickets SELECT g, timestamptz '2025-01-01' + g * interval '7 seconds', ` +
        `(ARRAY['open','pending','resolved','closed'])[1 + g % 4], 'customer ' || (g::bigint * 7919 % 20011), ` +
        `round((random() * 10000)::numeric, 2), md5(g::text), ` +
        `'Ticket ' || g || ': ' || repeat(substr(md5((g % 997)::text), 1, 8) || ' ', 1 + g % 9) || ` +
        `(ARRAY['printer offline','password reset','vpn drops','disk full','slow login'])[1 + g % 5] ` +
        `FROM generate_series(1, ${ROWS}) g`,
    );
    const file = path.join(dir, 'full_backup_20260101_020000.sql.gz');
    await dumpPipeline(env, file);
    const gb = statSync(file).size / 1e9;
    process.stderr.write(`bench: existing-verify: ${(gb * 1000).toFixed(0)} MB backup file (${ROWS} rows)\n`);
    // Warm the page cache so every contender reads from memory alike.
    await exec(['cat', file]);

    const seen: Seen[] = [];
    const watchers: Promise<void>[] = [];
    const ours = async (gunzip?: string): Promise<number> => {
      const c = await cpuOf(async () => {
        const r = await checkExisting(file, 'plain', {
          lowPriority: true,
          ...(gunzip ? { gunzip } : {}),
          onSpawn: (pid, argv) => {
            const tool = path.basename(argv[6] ?? '');
            if (tool === 'igzip' || tool === 'gzip') watchers.push(watchPriority(pid, tool, seen));
          },
        });
        if (!r.ok) throw new Error(`verification failed: ${r.message}`);
      });
      return (c.children + c.self) / gb;
    };
    let inflated = 0;
    const nodeZlib = async (): Promise<number> => {
      const c = await cpuOf(async () => {
        const rows = await checkPlainGz(file, undefined, new AbortController().signal);
        inflated = Number(/\((\d+) bytes/.exec(rows.find((x) => x.name === 'gzip')?.detail ?? '')?.[1] ?? 0);
      });
      return (c.children + c.self) / gb;
    };
    const tool = async (argv: string[]): Promise<number> => {
      const c = await cpuOf(() => exec(argv));
      return (c.children + c.self) / gb;
    };
    const r = { ours: [] as number[], oursGnu: [] as number[], zlib: [] as number[], igzipT: [] as number[] };
    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0;
      if (!order) base.push(await tool(['gzip', '-t', file]));
      r.ours.push(await ours());
      r.oursGnu.push(await ours('gzip'));
      r.zlib.push(await nodeZlib());
      r.igzipT.push(await tool(['igzip', '-t', file]));
      if (order) base.push(await tool(['gzip', '-t', file]));
    }
    await Promise.all(watchers);
    process.stderr.write(
      `bench: existing-verify: the dump is ${(inflated / 1e6).toFixed(0)} MB uncompressed ` +
        `(${(inflated / 1e9 / gb).toFixed(1)}:1)\n`,
    );
    const prio = seen.length > 0 && seen.every((s) => s.nice === 19 && /idle/.test(s.ioclass));
    process.stderr.write(
      `bench: existing-verify: decompressor priority seen ${seen.length}×: ` +
        `${[...new Set(seen.map((s) => `${s.comm} nice ${s.nice}, ionice "${s.ioclass}"`))].join('; ')}` +
        `${prio ? '' : ' — NOT LOWEST PRIORITY'}\n`,
    );
    const b = median(base);
    const row = (name: string, v: number[], target?: string): Row => ({
      name,
      unit: 'core-s/GB',
      opsdeck: median(v),
      baseline: b,
      baselineName: 'gzip -t',
      ...(target ? { target } : {}),
    });
    return [
      row(`existing verify (igzip+openssl, nice 19/idle${prio ? ' ✓' : ' ✗'})`, r.ours, '≤ 1 core-s/GB'),
      row('existing verify, GNU gzip as decompressor', r.oursGnu),
      row('Node zlib in process (checkPlainGz)', r.zlib),
      row('igzip -t alone (CRC only)', r.igzipT),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.stop();
  }
}
