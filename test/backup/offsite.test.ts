// Off-host copies (issue 14, points 6 and 8) against a real rclone remote on loopback: `rclone
// serve webdav` over a temp directory (WebDAV keeps no checksums, so every copy is read back),
// defined for the client only by RCLONE_CONFIG_OFFSITE_* variables. A published backup is copied
// byte for byte with its sidecar; the remote killed mid-copy leaves the local backup intact, the
// copy failed with its retry persisted and backup.offsiteAgeHours alerting, and the console's loop
// completes it once the remote is back; no secret reaches an rclone argv, the state or the CLI.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBackupJob } from '../../src/backup/file-backup.js';
import { runBackupJob } from '../../src/backup/job.js';
import { createBackupAgeProbe, NEVER_BACKED_UP_HOURS } from '../../src/backup/age-probe.js';
import { pushOffsite } from '../../src/backup/offsite.js';
import { readOffsiteState } from '../../src/backup/offsite-state.js';
import { readSidecar } from '../../src/backup/sidecar.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { loadConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import { classify } from '../../src/engine/thresholds.js';
import { startOffsiteLoop } from '../../src/app/offsite-loop.js';
import { startRcloneServer, type RcloneServer } from '../../src/sandbox/rclone.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from '../restore/helpers.js';

const PASSWORD = 'webdav-Secret-7f3a9c';

/** Every file under `dir`, relative, with its size. */
function tree(dir: string, base = dir): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) for (const [k, v] of tree(full, base)) out.set(k, v);
    else out.set(path.relative(base, full), statSync(full).size);
  }
  return out;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The command lines of this process's rclone children, sampled until stopped. */
function watchRcloneArgv(): { stop: () => string[][] } {
  const seen = new Map<number, string[]>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (argv[0] && path.basename(argv[0]) === 'rclone') seen.set(Number(pid), argv);
      } catch {
        // gone already
      }
    }
  }, 2);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen.values()];
    },
  };
}

describe('off-host copies to a real rclone WebDAV remote', () => {
  let tmp: { dir: string; remove: () => void };
  let server: RcloneServer;
  let root: string;
  let served: string;
  let env: NodeJS.ProcessEnv;
  let configPath: string;
  let config: OpsdeckConfig;
  let obscured: string;

  beforeAll(async () => {
    tmp = tempDir('offsite');
    root = path.join(tmp.dir, 'backups');
    served = path.join(tmp.dir, 'remote');
    mkdirSync(served);
    server = await startRcloneServer({ kind: 'webdav', dir: served, password: PASSWORD });
    const client = server.clientEnv('offsite');
    obscured = client.RCLONE_CONFIG_OFFSITE_PASS!;
    env = { ...process.env, ...client };
    configPath = path.join(tmp.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        discover: false,
        audit: { path: path.join(tmp.dir, 'audit.jsonl') },
        backups: {
          dir: root,
          files: [
            { name: 'small', paths: [path.join(tmp.dir, 'small')] },
            { name: 'big', paths: [path.join(tmp.dir, 'big')] },
          ],
          offsite: { remote: 'offsite:opsdeck/backups', retry: { initial: '300ms', max: '2s' }, interval: '1s' },
        },
      }),
    );
    config = await loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false });
    mkdirSync(path.join(tmp.dir, 'small'));
    writeFileSync(path.join(tmp.dir, 'small', 'data.bin'), randomBytes(2 << 20));
    mkdirSync(path.join(tmp.dir, 'big'));
    // Random bytes do not compress: a ~24 MB archive that takes 3 s at the 8 MB/s limit below.
    writeFileSync(path.join(tmp.dir, 'big', 'data.bin'), randomBytes(24 << 20));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    registerBackupCommands(program, {
      loadConfig: () => loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false }),
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      setCode: (c) => (code = c),
      env,
    });
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, code };
  };

  const offsiteAge = async (source: string): Promise<number | null> => {
    const probe = createBackupAgeProbe(config);
    const r = await probe.read(AbortSignal.timeout(10_000));
    return r.metrics.find((m) => m.metric === 'backup.offsiteAgeHours' && m.instance === source)?.value ?? null;
  };

  it('opsdeck backup publishes, copies and checks it and its sidecar byte for byte; no secret in argv', async () => {
    const argv = watchRcloneArgv();
    const r = await cli(['backup', '--files', 'small']);
    const cmdlines = argv.stop();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/opsdeck: copying small_\d{8}_\d{6}\.tar\.gz/);
    expect(r.stderr).toMatch(/to offsite:opsdeck\/backups \(--no-offsite to skip\)/);
    expect(r.stderr).toMatch(
      /off-host copy of small_\d{8}_\d{6}\.tar\.gz: copied and checked \(download \(read back, sha256\)\)/,
    );
    const local = /ok {2}files backup of files:small: (\S+)/.exec(r.stdout)![1]!;
    const rel = path.relative(root, local);
    const remote = path.join(served, 'opsdeck/backups', rel);
    expect(readFileSync(remote).equals(readFileSync(local))).toBe(true);
    expect(readFileSync(`${remote}.json`, 'utf8')).toBe(readFileSync(`${local}.json`, 'utf8'));
    // The rclone children: backend features, copy, hashsum --download, cat — never the password, plain or obscured.
    expect(cmdlines.length).toBeGreaterThanOrEqual(3);
    expect(cmdlines.some((a) => a.includes('copy') && a.includes('--files-from-raw'))).toBe(true);
    for (const a of cmdlines) {
      expect(a.join(' ')).not.toContain(PASSWORD);
      expect(a.join(' ')).not.toContain(obscured);
    }
    const state = await readOffsiteState(root);
    expect(state.copies[rel]).toMatchObject({ state: 'copied', method: 'download (read back, sha256)', attempts: 1 });
    // The catalog shows it, in the table and in --json.
    const list = await cli(['backups']);
    expect(list.stdout).toMatch(/OFFSITE/);
    expect(list.stdout).toMatch(/copied \S+ ago/);
    const json = JSON.parse((await cli(['backups', '--json'])).stdout) as {
      backups: { file: string; offsite: { state: string; remotePath: string } | null }[];
    };
    expect(json.backups.find((b) => b.file === path.basename(local))?.offsite).toMatchObject({
      state: 'copied',
      remotePath: `offsite:opsdeck/backups/${rel}`,
    });
    // --no-offsite: published, not copied (pending for `opsdeck offsite`).
    const skip = await cli(['backup', '--files', 'small', '--no-offsite']);
    expect(skip.code).toBe(0);
    expect(skip.stderr).not.toContain('copying');
    const pend = JSON.parse((await cli(['offsite', '--json', '--list'])).stdout) as { copies: { state: string }[] };
    expect(pend.copies.map((c) => c.state).sort()).toEqual(['copied', 'pending']);
    const cron = await cli(['offsite']);
    expect(cron.code).toBe(0);
    expect(cron.stdout.match(/copied/g)).toHaveLength(2);
    expect(await offsiteAge('files:small')).toBeLessThan(0.1);
    for (const out of [r, list, skip, cron, await cli(['offsite', '--json'])])
      for (const text of [out.stdout, out.stderr]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(obscured);
      }
    expect(readFileSync(path.join(root, 'offsite', 'state.json'), 'utf8')).not.toContain(obscured);
  }, 60_000);

  it('the remote down mid-copy: local backup intact, copy failed, alert, retried with backoff, completed', async () => {
    const rec = await runBackupJob(fileBackupJob({ root, name: 'big', paths: [path.join(tmp.dir, 'big')] }), {
      skipPreflight: true,
    });
    const rel = path.relative(root, rec.path);
    const before = sha(rec.path);
    const slow = { ...config.backups.offsite!, bwlimit: '8M' };
    const push = pushOffsite({ root, cfg: slow, env, only: [rec.path] });
    // Kill the server once part of the archive has arrived.
    await waitFor(
      () => [...tree(served)].some(([f, size]) => f.includes('big_') && !f.endsWith('.json') && size > 4 << 20),
      { timeoutMs: 20_000, what: 'the upload to be under way' },
    );
    await server.kill();
    const res = await push;
    expect(res.attempted).toHaveLength(1);
    const failed = res.attempted[0]!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/copy to offsite:opsdeck\/backups\/files\/big\/big_.* failed: rclone exited/);
    expect(failed.error).not.toContain(obscured);
    expect(Date.parse(failed.nextRetryAt!)).toBeGreaterThan(Date.parse(failed.lastAttemptAt!));
    // The local backup is untouched and still verifies.
    expect(sha(rec.path)).toBe(before);
    expect((await readSidecar(rec.path)).sha256).toBe(before);
    expect((await verifyBackup(rec.path)).ok).toBe(true);
    // Persisted: a new reader sees it failed with its retry; the catalog says so; the metric alerts.
    expect((await readOffsiteState(root)).copies[rel]).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await cli(['backups'])).stdout).toMatch(/FAILED, retry (due|in \S+)/);
    const offsiteList = await cli(['offsite', '--list']);
    expect(offsiteList.code).toBe(1);
    expect(offsiteList.stdout).toMatch(/failed: files\/big\/big_.*: copy to .* failed/);
    const age = await offsiteAge('files:big');
    expect(age).toBe(NEVER_BACKED_UP_HOURS);
    expect(classify(config.rules['backup.offsiteAgeHours']!, age)).toBe('CRITICAL');
    // While the remote is down, retries keep failing and the wait doubles (300 ms, then 600 ms; persisted each time).
    expect(Date.parse(failed.nextRetryAt!) - Date.parse(failed.lastAttemptAt!)).toBeGreaterThanOrEqual(300);
    const t = Date.now();
    const again = await pushOffsite({
      root,
      cfg: config.backups.offsite!,
      env,
      only: [rec.path],
      force: true,
      now: () => t,
    });
    expect(again.attempted[0]).toMatchObject({
      state: 'failed',
      attempts: 2,
      nextRetryAt: new Date(t + 600).toISOString(),
    });
    expect((await readOffsiteState(root)).copies[rel]?.nextRetryAt).toBe(new Date(t + 600).toISOString());
    // Not due yet: a run before the retry time copies nothing.
    const early = await pushOffsite({ root, cfg: config.backups.offsite!, env, now: () => t + 100 });
    expect(early.attempted).toEqual([]);
    // Back up: the console's copier loop retries when due and completes the copy.
    await server.restart();
    // A read-only console changes nothing, the remote included: no copier loop.
    expect(startOffsiteLoop({ ...config, readOnly: true }, { env })).toBeNull();
    const loop = startOffsiteLoop(config, { env, firstDelayMs: 0 })!;
    try {
      await waitFor(async () => (await readOffsiteState(root)).copies[rel]?.state === 'copied', {
        timeoutMs: 30_000,
        what: 'the retried copy to complete',
      });
    } finally {
      await loop.stop();
    }
    const remote = path.join(served, 'opsdeck/backups', rel);
    expect(sha(remote)).toBe(before);
    expect((await readOffsiteState(root)).copies[rel]).toMatchObject({ state: 'copied', attempts: 3 });
    expect(await offsiteAge('files:big')).toBeLessThan(0.1);
    expect(classify(config.rules['backup.offsiteAgeHours']!, await offsiteAge('files:big'))).toBe('OK');
  }, 90_000);
});

describe('off-host copies to a real rclone SFTP remote (keeps md5)', () => {
  let tmp: { dir: string; remove: () => void };
  let server: RcloneServer;
  let env: NodeJS.ProcessEnv;
  const cfg = {
    remote: 'sf:site',
    rclone: 'rclone',
    interval: 60_000,
    retry: { initial: 60_000, max: 3_600_000, factor: 2 },
  };

  beforeAll(async () => {
    tmp = tempDir('offsite-sftp');
    mkdirSync(path.join(tmp.dir, 'remote'));
    mkdirSync(path.join(tmp.dir, 'data'));
    writeFileSync(path.join(tmp.dir, 'data', 'x.bin'), randomBytes(3 << 20));
    server = await startRcloneServer({ kind: 'sftp', dir: path.join(tmp.dir, 'remote'), password: PASSWORD });
    env = { ...process.env, ...server.clientEnv('sf') };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });

  it("checks the remote's md5 against the local file's; a file changed since its sidecar is refused", async () => {
    const root = path.join(tmp.dir, 'backups');
    const job = (now?: () => Date) =>
      runBackupJob(fileBackupJob({ root, name: 'x', paths: [path.join(tmp.dir, 'data')], ...(now ? { now } : {}) }));
    const rec = await job();
    const argv = watchRcloneArgv();
    const r = await pushOffsite({ root, cfg, env });
    const cmdlines = argv.stop();
    expect(r.attempted).toHaveLength(1);
    expect(r.attempted[0]).toMatchObject({ state: 'copied', method: 'remote md5' });
    const remote = path.join(tmp.dir, 'remote', 'site', path.relative(root, rec.path));
    expect(readFileSync(remote).equals(readFileSync(rec.path))).toBe(true);
    expect(readFileSync(`${remote}.json`).equals(readFileSync(`${rec.path}.json`))).toBe(true);
    for (const a of cmdlines) expect(a.join(' ')).not.toContain(env.RCLONE_CONFIG_SF_PASS);
    // A backup whose bytes changed after its sidecar was written (same size): refused, state failed.
    const bad = await job(() => new Date(Date.now() + 60_000));
    const bytes = readFileSync(bad.path);
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(bad.path, bytes);
    const r2 = await pushOffsite({ root, cfg, env });
    expect(r2.attempted).toHaveLength(1);
    expect(r2.attempted[0]!.state).toBe('failed');
    expect(r2.attempted[0]!.error).toMatch(/no longer matches the sha256 its sidecar recorded/);
  }, 60_000);
});
