// Off-host copy wall time (issue 14: ≤ 1.1× `rclone copy` of the same file): opsdeck's copy of a
// ~500 MB backup (copy, check against the remote's checksum, sidecar up and read back, state
// saved) against a plain `rclone copy FILE remote:dir` of the same file to the same loopback
// remote, interleaved rounds in one run (order flipped every round), medians. Two remotes, both
// real rclone servers on 127.0.0.1 over a temp directory:
// - sftp (`rclone serve sftp`, keeps md5/sha1 like S3 keeps md5): the target's case; opsdeck asks
//   the remote's md5 and hashes the local file while it uploads;
// - webdav (`rclone serve webdav`, keeps no checksum): opsdeck must read the whole file back,
//   so it moves the bytes twice where `rclone copy` moves them once (reported, not the target).
// $BENCH_OFFSITE_MB (default 500) sizes the backup, $BENCH_OFFSITE_RUNS (default 3) the rounds,
// $BENCH_OFFSITE_REMOTES (default "sftp,webdav") which remotes.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileBackupJob } from '../src/backup/file-backup.js';
import { runBackupJob } from '../src/backup/job.js';
import { pushOffsite } from '../src/backup/offsite.js';
import { statePath } from '../src/backup/offsite-state.js';
import { startRcloneServer, type RcloneServer } from '../src/sandbox/rclone.js';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

const MB = Number(process.env.BENCH_OFFSITE_MB) || 500;
const RUNS = Number(process.env.BENCH_OFFSITE_RUNS) || 3;
const REMOTES = (process.env.BENCH_OFFSITE_REMOTES ?? 'sftp,webdav')
  .split(',')
  .filter((k): k is 'sftp' | 'webdav' => k === 'sftp' || k === 'webdav');

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-bench-offsite-'));
  const servers: RcloneServer[] = [];
  try {
    // Random bytes: the archive is as big as the data (gzip cannot shrink it).
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const fd = openSync(path.join(data, 'blob.bin'), 'w');
    for (let i = 0; i < MB; i++) writeSync(fd, randomBytes(1 << 20));
    closeSync(fd);
    const root = path.join(dir, 'backups');
    const rec = await runBackupJob(fileBackupJob({ root, name: 'bench', paths: [data] }), { skipPreflight: true });
    rmSync(data, { recursive: true });
    const rows: Row[] = [];
    for (const kind of REMOTES) {
      const served = path.join(dir, `remote-${kind}`);
      mkdirSync(served);
      const server = await startRcloneServer({ kind, dir: served, password: 'bench-secret-1' });
      servers.push(server);
      const env = { ...process.env, ...server.clientEnv('bench') };
      const ours: number[] = [];
      const base: number[] = [];
      let method = '';
      const oursOnce = async (i: number): Promise<void> => {
        rmSync(statePath(root), { force: true });
        const cfg = {
          remote: `bench:ours${i}`,
          rclone: 'rclone',
          interval: 60_000,
          retry: { initial: 60_000, max: 3_600_000, factor: 2 },
        };
        const t0 = performance.now();
        const r = await pushOffsite({ root, cfg, env, only: [rec.path] });
        ours.push(performance.now() - t0);
        const got = r.attempted[0];
        if (got?.state !== 'copied')
          throw new Error(`opsdeck's copy to ${kind} failed: ${got?.error ?? 'not attempted'}`);
        method = got.method ?? '';
        rmSync(path.join(served, `ours${i}`), { recursive: true, force: true });
      };
      const baseOnce = (i: number): void => {
        const t0 = performance.now();
        const r = spawnSync('rclone', ['copy', rec.path, `bench:plain${i}`], { env, encoding: 'utf8' });
        base.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`rclone copy to ${kind} failed: ${r.stderr.slice(-300)}`);
        rmSync(path.join(served, `plain${i}`), { recursive: true, force: true });
      };
      for (let i = 0; i < RUNS; i++) {
        if (i % 2 === 0) {
          await oursOnce(i);
          baseOnce(i);
        } else {
          baseOnce(i);
          await oursOnce(i);
        }
      }
      process.stderr.write(
        `bench: offsite ${kind}: opsdeck ${ours.map((x) => x.toFixed(0)).join(', ')} ms; ` +
          `rclone copy ${base.map((x) => x.toFixed(0)).join(', ')} ms (checked by ${method})\n`,
      );
      rows.push({
        name: `off-host copy of a ${MB} MB backup, ${kind} (${kind === 'sftp' ? 'remote md5' : 'read back'})`,
        unit: 'ms',
        opsdeck: median(ours),
        baseline: median(base),
        baselineName: 'rclone copy FILE remote:',
        target: kind === 'sftp' ? '≤ 1.1×' : 'reads back: 2 transfers',
      });
      await server.stop();
    }
    return rows;
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: `node --import tsx bench/offsite.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(
      `${r.name}: opsdeck ${r.opsdeck.toFixed(0)} ms, ${r.baselineName} ${r.baseline.toFixed(0)} ms, ` +
        `${(r.opsdeck / r.baseline).toFixed(2)}×`,
    );
}
