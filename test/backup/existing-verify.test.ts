// Backups another tool wrote (backups.existing), made by the manuals' own pipelines on the real
// PostgreSQL (existing-fixtures.ts: `pg_dump | gzip >`, `pg_dump -Fc`, `tar -czf … -C DIR .`,
// `cp .env.production`), plus one cut short as a full disk would leave it: the background verifier
// verifies them within one catalog interval at the lowest priority, they then count for
// backup.ageHours, the truncated one is flagged, alerts through backup.corruptCount and is never
// the newest good backup; `opsdeck verify FILE` works on them; `opsdeck drill` (no argument) picks
// the newest verified one, `drill FILE` and `restore FILE --db` verify against row counts counted
// from the backup stream itself; what opsdeck learned lives only in its state directory and is
// forgotten when the file goes; the directories are byte-for-byte unchanged throughout.
import { copyFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupProbeInterval, createBackupAgeProbe } from '../../src/backup/age-probe.js';
import { newestVerified, scanCatalog } from '../../src/backup/catalog.js';
import { factsPath, readFacts } from '../../src/backup/existing-facts.js';
import { startExistingVerifier, startExistingVerifierFor } from '../../src/app/existing-verifier.js';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { registerRestoreCommands } from '../../src/cli/restore-commands.js';
import { loadConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import { evaluate } from '../../src/engine/thresholds.js';
import { waitFor } from '../helpers/wait.js';
import { postgresService, unavailable } from '../helpers/services.js';
import { dumpTo, fingerprint, makeExistingDirs, type ExistingFixture } from './existing-fixtures.js';
import {
  checksum,
  createDatabase,
  DAMAGE,
  databasesLike,
  dropDatabase,
  SEED,
  sql,
  tempDir,
} from '../restore/helpers.js';

const TRUNCATED = 'full_backup_20260105_020000.sql.gz';

describe.skipIf(unavailable('postgres'))('existing backups: verified, counted, drilled and restored', () => {
  let db: string;
  let tmp: { dir: string; remove: () => void };
  let fx: ExistingFixture;
  let configPath: string;
  let config: OpsdeckConfig;
  let facts: string;
  let dirs: string[];
  let before: Record<string, string>;
  let original: Record<string, string>;

  const load = (): Promise<OpsdeckConfig> => loadConfig({ configPath, env: { HOME: tmp.dir }, discover: false });
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let code = 0;
    let out = '';
    let err = '';
    const program = new Command('opsdeck').option('--read-only').exitOverride();
    const ctx = {
      loadConfig: load,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      setCode: (c: number) => (code = c),
    };
    registerBackupCommands(program, ctx);
    registerRestoreCommands(program, ctx);
    await program.parseAsync(args, { from: 'user' });
    return { code, out, err };
  };

  beforeAll(async () => {
    db = await createDatabase('bk_exv');
    await sql(db, ...SEED);
    original = await checksum(db);
    tmp = tempDir('existing-verify');
    fx = await makeExistingDirs(tmp.dir, db);
    // A nightly run that hit a full disk: the pipeline's output cut short, newer than every good one.
    const good = readFileSync(path.join(fx.itsm, 'full_backup_20260101_020000.sql.gz'));
    writeFileSync(path.join(fx.itsm, TRUNCATED), good.subarray(0, Math.floor(good.length / 2)));
    dirs = [fx.itsm, fx.knowledge, fx.generic];
    const s = postgresService();
    configPath = path.join(tmp.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      [
        `targets: { postgres: { host: ${s.host}, port: ${s.port}, user: ${s.user}, database: postgres } }`,
        `audit: { path: ${path.join(tmp.dir, 'audit.jsonl')} }`,
        // A short catalog interval, so "within one interval" is seconds here.
        `thresholds: { backup.ageHours: { interval: 10s } }`,
        `backups:`,
        `  dir: ${path.join(tmp.dir, 'opsdeck-backups')}`,
        `  databases: [${db}]`,
        `  existing:`,
        `    - { dir: ${fx.itsm}, database: ${db}, name: itsm }`,
        `    - { dir: ${fx.knowledge}, database: ${db} }`,
        `    - { dir: ${fx.generic}, database: ${db}, name: other }`,
      ].join('\n'),
    );
    config = await load();
    facts = factsPath(config.stateDir);
    before = fingerprint(dirs);
  }, 180_000);
  afterAll(async () => {
    tmp?.remove();
    if (db) await dropDatabase(db);
    for (const d of await databasesLike(`${db}_drill`)) await dropDatabase(d);
  });

  it('before verification none counts: backup.ageHours says never', async () => {
    const probe = createBackupAgeProbe(config);
    const r = await probe.read(AbortSignal.timeout(20_000));
    expect(r.metrics.find((m) => m.metric === 'backup.ageHours')?.value).toBe(999_999);
  });

  it('verifies every existing backup in the background within one catalog interval, at idle priority', async () => {
    const interval = backupProbeInterval(config);
    expect(interval).toBe(10_000);
    const t0 = Date.now();
    let verified: string[] = [];
    const spawned: string[][] = [];
    const v = startExistingVerifier({
      dirs: config.backups.existing,
      factsFile: facts,
      intervalMs: interval,
      onVerified: (files) => (verified = [...verified, ...files]),
      check: { onSpawn: (_pid, argv) => spawned.push(argv) },
    });
    try {
      await waitFor(() => verified.length >= 11, { timeoutMs: interval, what: 'all 11 verified' });
      expect(Date.now() - t0).toBeLessThan(interval);
      // Every tool ran as `ionice -c 3 nice -n 19 …` (the bench shows it in /proc as well).
      expect(spawned.length).toBeGreaterThan(11);
      for (const argv of spawned) expect(argv.slice(0, 6)).toEqual(['ionice', '-c', '3', 'nice', '-n', '19']);
      expect(spawned.map((a) => a[6]!.split('/').pop())).toEqual(
        expect.arrayContaining(['igzip', 'tail', 'tar', 'pg_restore']),
      );

      // A new nightly backup appears: verified by the next pass, within one interval of it.
      const fresh = path.join(fx.itsm, 'full_backup_20260106_020000.sql.gz');
      await dumpTo(db, fresh);
      before = fingerprint(dirs);
      const t1 = Date.now();
      await waitFor(() => verified.includes(fresh), { timeoutMs: 2 * interval + 5000, what: 'the new backup' });
      expect(Date.now() - t1).toBeLessThan(2 * interval + 5000);
    } finally {
      await v.stop();
    }
    const known = await readFacts(facts);
    expect(known[path.join(fx.itsm, 'full_backup_20260101_020000.sql.gz')]?.verify?.ok).toBe(true);
    expect(known[path.join(fx.itsm, TRUNCATED)]?.verify).toMatchObject({ ok: false });
    expect(known[path.join(fx.itsm, TRUNCATED)]?.verify?.message).toMatch(/gzip: does not decompress/);
    expect(known[path.join(fx.generic, 'app-20251201-010203.dump')]?.verify?.ok).toBe(true);
    expect(known[path.join(fx.knowledge, 'daily', '20260103', 'env.production_20260103_030000')]?.sha256).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(fingerprint(dirs)).toEqual(before);
  }, 120_000);

  it('verified ones count for backup.ageHours; the truncated one is flagged, alerts, is never newest', async () => {
    const catalog = await scanCatalog(config.backups.dir, undefined, { existing: config.backups.existing, facts });
    const cut = catalog.entries.find((e) => e.file === TRUNCATED)!;
    expect(cut).toMatchObject({ verified: false, origin: 'existing' });
    expect(cut.problem).toMatch(/^CORRUPT or truncated .*gzip: does not decompress/);
    const newest = newestVerified(catalog.entries).get(db)!;
    expect(newest.file).toBe('full_backup_20260106_020000.sql.gz');
    const everyGood = catalog.entries.filter((e) => e.file !== TRUNCATED);
    expect(everyGood.every((e) => e.verified)).toBe(true);

    const now = newest.time + 5 * 3_600_000;
    const probe = createBackupAgeProbe(config, { now: () => now });
    const r = await probe.read(AbortSignal.timeout(20_000));
    expect(r.metrics.find((m) => m.metric === 'backup.ageHours' && m.instance === db)?.value).toBe(5);
    const corrupt = r.metrics.find((m) => m.metric === 'backup.corruptCount' && m.instance === db)!;
    expect(corrupt.value).toBe(1);
    expect(r.metrics.find((m) => m.metric === 'backup.corruptCount' && m.instance === 'files:data')?.value).toBe(0);
    // `opsdeck backups` says the same in words.
    const list = await cli(['backups']);
    const line = (file: string): string => list.out.split('\n').find((l) => l.includes(file)) ?? '';
    expect(line('full_backup_20260106_020000.sql.gz')).toMatch(/yes \(verified by opsdeck /);
    expect(line(TRUNCATED)).toMatch(/NO: CORRUPT or truncated .*gzip: does not decompress/);
    const rule = config.rules['backup.corruptCount']!;
    expect(evaluate(rule, undefined, corrupt, now)?.state.level).toBe('CRITICAL');
    expect(fingerprint(dirs)).toEqual(before);
  });

  it('`opsdeck verify FILE` on them: recorded in the state directory, says no checksum was recorded', async () => {
    const good = path.join(fx.knowledge, 'daily', '20260103', 'database_20260103_030000.sql.gz');
    const ok = await cli(['verify', good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/ok +sha256: [0-9a-f]{64}: no checksum was recorded at backup time/);
    expect(ok.out).toMatch(/ok +marker: ends with/);
    expect(ok.out).toContain(`verified: ${good} (written by another tool: no checksum was recorded at backup time`);
    expect(ok.out).toContain(facts);
    const bad = await cli(['verify', path.join(fx.itsm, TRUNCATED)]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL +gzip: does not decompress/);
    expect(bad.out).toContain('NOT VERIFIED');
    const tar = await cli(['verify', path.join(fx.knowledge, 'daily', '20260103', 'data_20260103_030000.tar.gz')]);
    expect(tar.code).toBe(0);
    expect(tar.out).toMatch(/ok +tar: \d+ entries listed/);

    // A sidecar-less file in opsdeck's OWN directory is an interrupted publish: still untrusted.
    const own = path.join(config.backups.dir, 'postgres', db);
    mkdirSync(own, { recursive: true });
    const stray = path.join(own, 'full_20260107_020000.sql.gz');
    copyFileSync(path.join(fx.itsm, 'full_backup_20260101_020000.sql.gz'), stray);
    const r = await cli(['verify', stray]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('(result not recorded: no sidecar)');
    unlinkSync(stray);
    expect(fingerprint(dirs)).toEqual(before);
  }, 60_000);

  it('`opsdeck drill` picks the newest verified one (never the truncated); rows compared with the stream', async () => {
    const r = await cli(['drill', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out.trim()) as {
      backup: string;
      result: string;
      comparison: { ok: boolean; rows: { name: string; expected: string; actual: string }[] };
    };
    expect(out.backup).toBe(path.join(fx.itsm, 'full_backup_20260106_020000.sql.gz'));
    expect(out.result).toBe('succeeded');
    expect(out.comparison.ok).toBe(true);
    expect(out.comparison.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'public.incidents', expected: '3000', actual: '3000' }),
        expect.objectContaining({ name: '"Ops Schema"."Shift Notes"', expected: '40', actual: '40' }),
        expect.objectContaining({ name: 'public.empty_t', expected: '0', actual: '0' }),
      ]),
    );
    // The counts came from the stream and are cached beside the verification.
    const fact = (await readFacts(facts))[out.backup]!;
    expect(fact.rowCounts?.tables).toEqual(
      expect.arrayContaining([{ schema: 'public', table: 'incidents', rows: 3000 }]),
    );
    expect(fingerprint(dirs)).toEqual(before);
  }, 120_000);

  it('`drill FILE` on a custom dump counts its rows from `pg_restore -f -`; a truncated one is refused', async () => {
    const custom = path.join(fx.generic, 'app-20251201-010203.dump');
    const r = await cli(['drill', custom, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out.trim()) as { result: string; comparison: { ok: boolean; message: string } };
    expect(out.result).toBe('succeeded');
    expect(out.comparison.ok).toBe(true);
    const fact = (await readFacts(facts))[custom]!;
    expect(fact.rowCounts?.tables).toEqual(
      expect.arrayContaining([{ schema: 'Ops Schema', table: 'Shift Notes', rows: 40 }]),
    );
    const cut = await cli(['drill', path.join(fx.itsm, TRUNCATED)]);
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(/does not verify: gzip: does not decompress/);
    expect(fingerprint(dirs)).toEqual(before);
  }, 120_000);

  it('`restore FILE --db` puts the data back, verified against the stream; preflight says no checksum', async () => {
    await sql(db, ...DAMAGE);
    expect(await checksum(db)).not.toEqual(original);
    const file = path.join(fx.knowledge, 'weekly', '20251228', 'database_20251228_020000.sql.gz');
    const dry = await cli(['restore', file, '--db', db, '--dry-run']);
    expect(dry.out).toMatch(/backup file: .*written by another tool, no checksum was recorded at backup time/);
    expect(dry.out).toMatch(/verification: row counts of 4 tables counted from the backup stream \(no sidecar\)/);
    const r = await cli(['restore', file, '--db', db, '--yes', '--rollback', 'auto']);
    expect(r.err).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/4 tables? .*match/);
    expect(await checksum(db)).toEqual(original);
    expect(fingerprint(dirs)).toEqual(before);
  }, 180_000);

  it('facts are forgotten when the file goes or changes; nothing was ever written into the directories', async () => {
    const extra = path.join(fx.itsm, 'full_backup_20260107_020000.sql.gz');
    copyFileSync(path.join(fx.itsm, 'full_backup_20260101_020000.sql.gz'), extra);
    const v = startExistingVerifierFor(config, () => undefined);
    try {
      await waitFor(async () => (await readFacts(facts))[extra]?.verify?.ok, { timeoutMs: 30_000, what: 'extra' });
      // Rewritten in place (another identity): forgotten on the next scan, then verified again as what it is now.
      writeFileSync(extra, readFileSync(extra).subarray(0, 100));
      await scanCatalog(config.backups.dir, undefined, { existing: config.backups.existing, facts });
      expect((await readFacts(facts))[extra]).toBeUndefined();
      await v.runOnce();
      expect((await readFacts(facts))[extra]?.verify?.ok).toBe(false);
      // The other tool's retention deletes it: the next scan forgets what opsdeck knew.
      unlinkSync(extra);
      await scanCatalog(config.backups.dir, undefined, { existing: config.backups.existing, facts });
      expect((await readFacts(facts))[extra]).toBeUndefined();
    } finally {
      await v.stop();
    }
    // What was learned is only in opsdeck's state directory; the directories are as the other tool left them.
    expect(facts.startsWith(config.stateDir)).toBe(true);
    expect(Object.keys(await readFacts(facts)).length).toBe(12);
    expect(fingerprint(dirs)).toEqual(before);
  }, 120_000);
});
