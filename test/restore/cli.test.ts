// `opsdeck restore` and `opsdeck drill` driven through commander against the real PostgreSQL: the
// dry run changes nothing, no terminal and no --yes is refused, a wrong name declines, a scripted
// restore and a cron drill succeed and land in the audit trail and the drill log.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { registerRestoreCommands } from '../../src/cli/restore-commands.js';
import { loadConfig } from '../../src/config/resolve.js';
import { readDrills } from '../../src/backup/drill-log.js';
import { postgresService, unavailable } from '../helpers/services.js';
import { backup, checksum, createDatabase, DAMAGE, dropDatabase, SEED, sql, tempDir } from './helpers.js';

describe.skipIf(unavailable('postgres'))('opsdeck restore / drill', () => {
  let db: string;
  let root: { dir: string; remove: () => void };
  let file: string;
  let original: Record<string, string>;
  let configPath: string;

  beforeAll(async () => {
    db = await createDatabase('rs_cli');
    await sql(db, ...SEED);
    root = tempDir('cli');
    file = await backup(path.join(root.dir, 'backups'), db);
    original = await checksum(db);
    const s = postgresService();
    configPath = path.join(root.dir, 'opsdeck.yaml');
    const config = {
      discover: false,
      targets: { postgres: { host: s.host, port: s.port, user: s.user, database: 'postgres' } },
      audit: { path: path.join(root.dir, 'audit.jsonl') },
      backups: {
        dir: path.join(root.dir, 'backups'),
        databases: [db],
        verifyQueries: [{ database: db, sql: 'SELECT count(*) FROM incidents', expect: '3000' }],
      },
    };
    writeFileSync(configPath, JSON.stringify(config));
  });
  afterAll(async () => {
    root?.remove();
    if (db) await dropDatabase(db);
  });

  const cli = async (args: string[], ask?: (q: string) => Promise<string>) => {
    let stdout = '';
    let stderr = '';
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    registerRestoreCommands(program, {
      loadConfig: () => loadConfig({ configPath, env: { HOME: root.dir }, discover: false }),
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      setCode: (c) => (code = c),
      ...(ask ? { ask } : {}),
    });
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, code };
  };

  it('--dry-run prints the preflight and the plan with its exact commands, and changes nothing', async () => {
    const r = await cli(['restore', file, '--db', db, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +backup file: .* verified/);
    expect(r.stdout).toMatch(/restore\.database .* — 9 steps, DESTRUCTIVE: needs the target name typed/);
    expect(r.stdout).toContain(
      `sql: DROP DATABASE IF EXISTS "${db}" WITH (FORCE); CREATE DATABASE "${db}" OWNER "postgres" TEMPLATE template0`,
    );
    expect(r.stdout).toMatch(/gunzip \(in-process\) < .* \| PGHOST=.*psql -X -v ON_ERROR_STOP=1 --no-password/);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(await checksum(db)).toEqual(original);
  });

  it('without a terminal and without --yes it refuses with exit 2', async () => {
    const r = await cli(['restore', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run it on a terminal .* or pass --yes/);
    const r2 = await cli(['restore', file, '--db', db, '--yes']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--rollback auto or --rollback never/);
  });

  it('a wrongly typed name declines: exit 1, nothing changed', async () => {
    await sql(db, ...DAMAGE);
    const damaged = await checksum(db);
    const questions: string[] = [];
    const r = await cli(['restore', file, '--db', db], async (q) => (questions.push(q), db.toUpperCase()));
    expect(r.code).toBe(1);
    expect(questions[0]).toContain(`Type the name "${db}"`);
    expect(r.stdout).toMatch(/UNTOUCHED: .* was not dropped/);
    expect(await checksum(db)).toEqual(damaged);
  });

  it('--yes --rollback auto restores, prints the comparison and audits every stage', async () => {
    const r = await cli(['restore', path.basename(file), '--db', db, '--yes', '--rollback', 'auto']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await checksum(db)).toEqual(original);
    expect(r.stdout).toMatch(/\[4\/9\] drop and recreate the database: done/);
    expect(r.stdout).toMatch(/public\.incidents\s+3000\s+3000\s+ok/);
    expect(r.stdout).toMatch(/RESTORED: .* is restored from .* and verified/);
    const audit = readFileSync(path.join(root.dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; event: string });
    expect(audit.filter((e) => e.action === 'restore.database').map((e) => e.event)).toEqual([
      'cancelled',
      'confirmed',
      'succeeded',
      'confirmed',
      'succeeded',
      'succeeded',
    ]);
  });

  it('a truncated backup fails preflight: exit 1, database untouched', async () => {
    const cut = path.join(root.dir, 'cut.sql.gz');
    writeFileSync(cut, readFileSync(file).subarray(0, 500));
    writeFileSync(`${cut}.json`, readFileSync(`${file}.json`));
    const r = await cli(['restore', cut, '--db', db, '--yes', '--rollback', 'never']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}backup file/);
    expect(r.stderr).toMatch(/preflight failed; nothing was changed/);
    expect(await checksum(db)).toEqual(original);
  });

  it('drill without arguments drills the newest verified full backup of each configured database', async () => {
    const r = await cli(['drill']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^ok {4}drill ${db}: ${path.basename(file)} restored into ${db}_drill_\\d{8}_\\d{6} and verified`),
    );
    const log = await readDrills(path.join(root.dir, 'backups', 'drills.jsonl'));
    expect(log.at(-1)).toMatchObject({ ok: true, source: db, backup: file });
  });

  it('the catalog shows the drill, and prune keeps the fresh safety dump of the restore', async () => {
    let stdout = '';
    const backups = async (args: string[]): Promise<string> => {
      stdout = '';
      const program = new Command('opsdeck').exitOverride();
      registerBackupCommands(program, {
        loadConfig: () => loadConfig({ configPath, env: { HOME: root.dir }, discover: false }),
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        setCode: () => undefined,
      });
      await program.parseAsync(args, { from: 'user' });
      return stdout;
    };
    // The drill re-verifies the backup first, so VERIFIED may read "yes (re-verified …)".
    expect(await backups(['backups'])).toMatch(
      new RegExp(`full\\s+${db}\\s+.*\\s+yes(?: \\(re-verified [^)]*\\))?\\s+0m\\s+${path.basename(file)}`),
    );
    const j = JSON.parse(await backups(['backups', '--json'])) as {
      backups: { lastDrill: { ok: boolean; backup: string; daysSinceOk: number } | null }[];
    };
    expect(j.backups[0]!.lastDrill).toMatchObject({ ok: true, backup: file, daysSinceOk: 0 });
    // The restore above took a safety dump of the damaged database: listed, and kept (made just now).
    const dry = await backups(['prune', '--dry-run']);
    expect(dry).toMatch(
      new RegExp(
        `^keep {4}${db} {2}full_backup_\\d{8}_\\d{6}\\.sql\\.gz .* safety dump made 0 h ago: never deleted within 24 h`,
        'm',
      ),
    );
  });
});
