// The DR path of issue 14 (points 6 and 8) against the real PostgreSQL and a real rclone WebDAV
// remote on loopback: a backup copied off the host and then deleted locally is listed as
// remote-only, `opsdeck drill NAME` and `opsdeck restore NAME` fetch it into opsdeck's own
// directory, check its sha256 against the one recorded at backup time and go on; a remote copy
// whose bytes do not match is refused before anything changes. The console's Backups controller
// fetches a remote-only entry the same way.
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushOffsite } from '../../src/backup/offsite.js';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { registerRestoreCommands } from '../../src/cli/restore-commands.js';
import { loadConfig } from '../../src/config/resolve.js';
import { startRcloneServer, type RcloneServer } from '../../src/sandbox/rclone.js';
import { postgresService, unavailable } from '../helpers/services.js';
import { backup, checksum, createDatabase, DAMAGE, dropDatabase, SEED, sql, tempDir } from './helpers.js';

describe.skipIf(unavailable('postgres'))('restore and drill fetch from the off-host copy', () => {
  let db: string;
  let tmp: { dir: string; remove: () => void };
  let server: RcloneServer;
  let root: string;
  let served: string;
  let file: string;
  let rel: string;
  let original: Record<string, string>;
  let configPath: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createDatabase('rs_offsite');
    await sql(db, ...SEED);
    tmp = tempDir('offsite-fetch');
    root = path.join(tmp.dir, 'backups');
    served = path.join(tmp.dir, 'remote');
    mkdirSync(served);
    server = await startRcloneServer({ kind: 'webdav', dir: served, password: 'dr-Secret-5512' });
    env = { ...process.env, ...server.clientEnv('dr') };
    file = await backup(root, db);
    rel = path.relative(root, file);
    original = await checksum(db);
    const s = postgresService();
    configPath = path.join(tmp.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        discover: false,
        targets: { postgres: { host: s.host, port: s.port, user: s.user, database: 'postgres' } },
        audit: { path: path.join(tmp.dir, 'audit.jsonl') },
        backups: { dir: root, databases: [db], offsite: { remote: 'dr:site/backups' } },
      }),
    );
    const config = await loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false });
    const pushed = await pushOffsite({ root, cfg: config.backups.offsite!, env });
    expect(pushed.attempted.map((r) => r.state)).toEqual(['copied']);
    // The host lost its backup: only the remote copy is left.
    rmSync(file);
    rmSync(`${file}.json`);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
    if (db) await dropDatabase(db);
  });

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    const ctx = {
      loadConfig: () => loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false }),
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      setCode: (c: number) => (code = c),
      env,
    };
    registerBackupCommands(program, ctx);
    registerRestoreCommands(program, ctx);
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, code };
  };
  const fetched = (): string => path.join(root, 'offsite', 'fetched', rel);

  it('the catalog lists the remote-only backup', async () => {
    const j = JSON.parse((await cli(['backups', '--json'])).stdout) as {
      backups: { file: string; path: string; offsite: { remoteOnly: boolean; state: string } | null }[];
    };
    expect(j.backups).toHaveLength(1);
    expect(j.backups[0]).toMatchObject({
      file: path.basename(file),
      path: `dr:site/backups/${rel}`,
      offsite: { remoteOnly: true, state: 'copied' },
    });
    expect((await cli(['backups'])).stdout).toMatch(/remote only \(copied \S+ ago\)/);
  });

  it('drill NAME fetches the backup, checks it and drills it', async () => {
    const r = await cli(['drill', path.basename(file)]);
    expect(r.stderr).toMatch(/is not here: fetching it from dr:site\/backups/);
    expect(r.stderr).toMatch(/sha256 matches the one recorded at backup time/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok {4}drill ${db}: ${path.basename(file)} restored into`));
    expect(readFileSync(fetched()).equals(readFileSync(path.join(served, 'site/backups', rel)))).toBe(true);
  }, 60_000);

  it('restore NAME --yes fetches the backup and restores the damaged database', async () => {
    rmSync(fetched());
    await sql(db, ...DAMAGE);
    const r = await cli(['restore', path.basename(file), '--db', db, '--yes', '--rollback', 'auto']);
    expect(r.stderr).toMatch(/fetching it from dr:site\/backups/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RESTORED: .* is restored from .* and verified/);
    expect(await checksum(db)).toEqual(original);
  }, 60_000);

  it('a remote copy whose bytes do not match is refused before anything changes', async () => {
    rmSync(fetched());
    rmSync(`${fetched()}.json`);
    // Flip one byte in the middle of the remote copy (same size: only the checksum can tell).
    const remote = path.join(served, 'site/backups', rel);
    const bytes = readFileSync(remote);
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(remote, bytes);
    await sql(db, ...DAMAGE);
    const damaged = await checksum(db);
    for (const args of [
      ['restore', path.basename(file), '--db', db, '--yes', '--rollback', 'auto'],
      ['drill', path.basename(file)],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /does not match the checksum recorded at backup time .*: refusing it, nothing was changed/,
      );
      expect(r.stdout).not.toMatch(/RESTORED|restored into/);
    }
    expect(await checksum(db)).toEqual(damaged);
    // Nothing of the bad copy is left in opsdeck's directory.
    expect(existsSync(fetched())).toBe(false);
    expect(existsSync(`${fetched()}.json`)).toBe(false);
  }, 60_000);
});
