// The backup commands: in-process for output and exit codes, and as a real process for SIGTERM
// (a cron job being stopped) — which must leave nothing published and exit 143 — and on a
// pseudo-terminal for Ctrl-C at prune's question (a "no").
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupJob } from '../../src/backup/job.js';
import { safetyRootFor } from '../../src/backup/naming.js';
import { pgBackupJob } from '../../src/backup/pg-backup.js';
import { readSidecar } from '../../src/backup/sidecar.js';
import { registerBackupCommands } from '../../src/cli/backup-commands.js';
import { loadConfig } from '../../src/config/resolve.js';
import { appendDrill, drillLogPath, type DrillRecord } from '../../src/backup/drill-log.js';
import { postgresService, unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { BIG, createDatabase, dropDatabase, filesUnder, SEED, sql, targetFor, tempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe.skipIf(unavailable('postgres'))('opsdeck backup / backups / verify / prune', () => {
  let db: string;
  let small: string;
  let tmp: { dir: string; remove: () => void };
  let root: string;
  let configPath: string;
  let auditPath: string;

  const run = async (
    args: string[],
    ask?: (q: string) => Promise<string>,
    stderrTty?: { columns: number },
  ): Promise<{ code: number; out: string; err: string }> => {
    let code = 0;
    let out = '';
    let err = '';
    const program = new Command('opsdeck').option('--read-only').exitOverride();
    registerBackupCommands(program, {
      loadConfig: (cmd) =>
        loadConfig({
          configPath,
          env: { HOME: tmp.dir },
          discover: false,
          readOnly: cmd.optsWithGlobals<{ readOnly?: boolean }>().readOnly === true,
        }),
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s), ...(stderrTty ? { isTTY: true, columns: stderrTty.columns } : {}) },
      setCode: (c) => (code = c),
      ...(ask ? { ask } : {}),
    });
    await program.parseAsync(args, { from: 'user' });
    return { code, out, err };
  };
  /** Runs the CLI on a pseudo-terminal, types `keys` once `prompt` is on screen; resolves at exit. */
  const onTerminal = async (
    args: string[],
    prompt: string,
    keys: string,
  ): Promise<{ code: number; screen: string }> => {
    const pty = (await import('node-pty')).default;
    const term = pty.spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures/cli-main.ts'), '--config', configPath, ...args],
      {
        cols: 200,
        rows: 50,
        cwd: process.cwd(),
        env: { ...process.env, HOME: tmp.dir } as Record<string, string>,
      },
    );
    let screen = '';
    let typed = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        term.kill();
        reject(new Error(`no exit within 20 s; screen:\n${screen}`));
      }, 20_000);
      term.onData((d) => {
        screen += d;
        if (!typed && screen.includes(prompt)) {
          typed = true;
          term.write(keys);
        }
      });
      term.onExit(({ exitCode }) => {
        clearTimeout(timer);
        resolve({ code: exitCode, screen });
      });
    });
  };
  const audit = (): { event: string; action: string; target: string; result?: string; error?: string }[] =>
    readFileSync(auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; action: string; target: string; result?: string; error?: string });

  beforeAll(async () => {
    db = await createDatabase('bk_cli');
    await sql(db, ...SEED, ...BIG);
    small = await createDatabase('bk_cli_small');
    await sql(small, ...SEED);
    tmp = tempDir('cli');
    root = path.join(tmp.dir, 'backups');
    auditPath = path.join(tmp.dir, 'audit.jsonl');
    const src = path.join(tmp.dir, 'etc-app');
    mkdirSync(src);
    writeFileSync(path.join(src, 'app.conf'), 'x=1\n');
    const s = postgresService();
    configPath = path.join(tmp.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      [
        `targets: { postgres: { host: ${s.host}, port: ${s.port}, user: ${s.user}, database: ${s.database} } }`,
        `audit: { path: ${auditPath} }`,
        `backups:`,
        `  dir: ${root}`,
        `  databases: [${db}]`,
        `  files: [{ name: app, paths: [${src}] }]`,
        `  retention: { preset: itsm }`,
      ].join('\n'),
    );
  });
  afterAll(async () => {
    tmp?.remove();
    if (db) await dropDatabase(db);
    if (small) await dropDatabase(small);
  });

  it('backs up every configured source, prints one line each, audits, exits 0', async () => {
    const r = await run(['backup']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^ok  full backup of ${db}: .*full_backup_\\d{8}_\\d{6}\\.sql\\.gz ` +
          `\\(\\d+ bytes, sha256 [0-9a-f]{12}…, [\\d.]+ s, verified\\)$`,
        'm',
      ),
    );
    expect(r.out).toMatch(/^ok {2}files backup of files:app: .*app_\d{8}_\d{6}\.tar\.gz/m);
    const events = audit().map((e) => `${e.action} ${e.event}`);
    expect(events).toEqual([
      'backup.postgres confirmed',
      'backup.postgres succeeded',
      'backup.files confirmed',
      'backup.files succeeded',
    ]);
  });

  it('lists the catalog as a table and as JSON, with the last restore drill of each database', async () => {
    const t = await run(['backups']);
    expect(t.out.split('\n')[0]).toMatch(/^TIME\s+KIND\s+SOURCE\s+SIZE\s+AGE\s+VERIFIED\s+LAST DRILL\s+FILE$/);
    expect(t.out).toMatch(new RegExp(`full\\s+${db}\\s+.*\\s+0m\\s+yes\\s+never\\s+full_backup_`));
    expect(t.out).toMatch(/files\s+files:app\s+.*\s+yes\s+-\s+app_/); // file sets are not drilled
    const j = JSON.parse((await run(['backups', '--json'])).out) as {
      backups: { source: string; verified: boolean; kind: string; lastDrill: unknown }[];
    };
    expect(j.backups.map((b) => [b.source, b.kind, b.verified, b.lastDrill]).sort()).toEqual([
      [db, 'full', true, null],
      ['files:app', 'files', true, null],
    ]);

    // A drill that passed 3 days ago, then one that failed an hour ago.
    const drill = (ageMs: number, ok: boolean): DrillRecord => ({
      version: 1,
      at: new Date(Date.now() - ageMs).toISOString(),
      source: db,
      backup: path.join(root, 'x.sql.gz'),
      scratch: `${db}_drill`,
      ok,
      durationMs: 900,
      message: ok ? 'verified' : 'public.incidents: 1234 rows, expected 1235',
      dropped: true,
      host: 'h',
    });
    await appendDrill(drillLogPath(root), drill(3 * 86_400_000 + 60_000, true));
    await appendDrill(drillLogPath(root), drill(3_600_000, false));
    const t2 = await run(['backups']);
    expect(t2.out).toMatch(new RegExp(`full\\s+${db}\\s+.*\\s+yes\\s+3d 0h, last FAILED\\s+full_backup_`));
    const j2 = JSON.parse((await run(['backups', '--json'])).out) as {
      backups: { source: string; lastDrill: Record<string, unknown> | null }[];
    };
    expect(j2.backups.find((b) => b.source === db)!.lastDrill).toEqual({
      at: expect.any(String),
      ok: false,
      backup: path.join(root, 'x.sql.gz'),
      message: 'public.incidents: 1234 rows, expected 1235',
      lastOkAt: expect.any(String),
      daysSinceOk: 3,
    });
    expect(j2.backups.find((b) => b.source === 'files:app')!.lastDrill).toBeNull();
  });

  it('verify exits 0 for a good backup and 1 for a damaged one; audited, and allowed in read-only mode', async () => {
    const file = path.join(
      root,
      'files/app',
      readdirSync(path.join(root, 'files/app')).find((f) => f.endsWith('.tar.gz'))!,
    );
    const before = (await readSidecar(file)).lastVerify.at;
    const ok = await run(['--read-only', 'verify', file]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^verified: /m);
    expect((await readSidecar(file)).lastVerify.at).not.toBe(before); // lastVerify written, read-only or not
    expect(audit().slice(-2)).toMatchObject([
      { action: 'backup.verify', target: file, event: 'confirmed' },
      { action: 'backup.verify', target: file, event: 'succeeded', result: 'succeeded' },
    ]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(file, bytes);
    const bad = await run(['--read-only', 'verify', file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^FAIL {2}sha256/m);
    expect(bad.out).toMatch(/^NOT VERIFIED: /m);
    expect(audit().at(-1)).toMatchObject({
      action: 'backup.verify',
      target: file,
      event: 'failed',
      result: 'failed',
      error: expect.stringMatching(/^not verified: (gzip|sha256): /),
    });
    expect((await readSidecar(file)).lastVerify.ok).toBe(false);

    const missing = await run(['verify', path.join(root, 'nope.sql.gz')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot verify .*nope\.sql\.gz: .*no such file/);
    expect(audit().at(-1)).toMatchObject({ action: 'backup.verify', event: 'failed' });
  });

  it('a failing backup exits 1 with one line on stderr; bad input exits 2', async () => {
    const r = await run(['backup', '--db', 'no_such_db_here']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        '^opsdeck: full backup of no_such_db_here FAILED: ' +
          'cannot open database "no_such_db_here".*; nothing was published\\n$',
      ),
    );
    expect((await run(['backup', '--files', 'nope'])).code).toBe(2);
  });

  it('read-only mode refuses a backup (audited)', async () => {
    const r = await run(['--read-only', 'backup', '--files', 'app']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refused: read-only mode/);
    expect(audit().at(-1)).toMatchObject({ action: 'backup.files', event: 'refused' });
  });

  it('prune: --dry-run says what and why, asks before deleting, --yes deletes (audited)', async () => {
    const old = await runBackupJob(
      pgBackupJob({
        root,
        target: targetFor(db),
        kind: 'data',
        format: 'plain',
        now: () => new Date(Date.now() - 40 * 86_400_000),
      }),
    );
    const dry = await run(['prune', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Retention itsm: full and file backups 90 days, data-only 30 days');
    expect(dry.out).toMatch(new RegExp(`^keep  .*newest verified data-only backup of ${db}: never pruned$`, 'm'));

    // A newer data-only backup makes the 40-day-old one prunable.
    await runBackupJob(pgBackupJob({ root, target: targetFor(db), kind: 'data', format: 'plain' }));
    const dry2 = await run(['prune', '--dry-run']);
    expect(dry2.out).toMatch(
      new RegExp(`^DELETE  ${db}  ${old.meta.file} .* 40 days old, past the 30-day limit for data-only backups$`, 'm'),
    );
    expect(filesUnder(root)).toContain(`postgres/${db}/${old.meta.file}`);

    const noTty = await run(['prune']);
    expect(noTty.code).toBe(2);
    const declined = await run(['prune'], async () => 'n');
    expect(declined.code).toBe(1);
    expect(filesUnder(root)).toContain(`postgres/${db}/${old.meta.file}`);

    // Ctrl-C at the question on a real terminal is a "no": nothing deleted, exit 1, no hang.
    const tty = await onTerminal(['prune'], '[y/N]', '\x03');
    expect(tty.code).toBe(1);
    expect(tty.screen).toContain('Nothing was deleted.');
    expect(filesUnder(root)).toContain(`postgres/${db}/${old.meta.file}`);

    const yes = await run(['prune', '--yes']);
    expect(yes.code).toBe(0);
    expect(filesUnder(root).filter((f) => f.includes(old.meta.file))).toEqual([]);
    expect(audit().at(-1)).toMatchObject({ action: 'backup.prune', event: 'succeeded' });
  });

  it('prune: safety dumps of restores — newest 3 or 30 days, whichever keeps more; never within 24 h', async () => {
    const safety = safetyRootFor(root);
    const made: Record<string, string> = {};
    for (const [label, ageMs] of [
      ['2h', 2 * 3_600_000],
      ['20d', 20 * 86_400_000],
      ['40d', 40 * 86_400_000],
      ['50d', 50 * 86_400_000],
      ['60d', 60 * 86_400_000],
    ] as const) {
      const at = new Date(Date.now() - ageMs);
      const rec = await runBackupJob(
        pgBackupJob({ root: safety, target: targetFor(small), kind: 'full', format: 'plain', now: () => at }),
        { skipPreflight: true },
      );
      utimesSync(rec.path, at, at);
      made[label] = rec.meta.file;
    }
    const dry = await run(['prune', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(
      'safety dumps: newest 3 verified per database or 30 days, whichever keeps more, never within 24 h',
    );
    expect(dry.out).toContain(`Safety dumps of restores (${safety}):`);
    const line = (label: string): string => dry.out.split('\n').find((l) => l.includes(made[label]!))!;
    expect(line('2h')).toMatch(
      new RegExp(
        `^keep {4}${small} {2}.*safety dump made 2 h ago: ` +
          `never deleted within 24 h \\(a rollback may still need it\\)$`,
      ),
    );
    expect(line('20d')).toMatch(/^keep .*safety dump, 20 days old: one of the 3 newest verified safety dumps/);
    expect(line('40d')).toMatch(/^keep .*safety dump, 40 days old: one of the 3 newest verified safety dumps/);
    expect(line('50d')).toMatch(
      /^DELETE .*safety dump, 50 days old: past 30 days and not one of the 3 newest verified safety dumps/,
    );
    expect(line('60d')).toMatch(/^DELETE .*safety dump, 60 days old: past 30 days/);
    // Never listed as a backup of the database.
    expect((await run(['backups'])).out).not.toContain(small);

    const yes = await run(['prune', '--yes']);
    expect(yes.code).toBe(0);
    expect(filesUnder(safety)).toEqual(
      [made['60d'], made['50d'], made['40d'], made['20d'], made['2h']]
        .reverse()
        .slice(0, 3)
        .flatMap((f) => [`postgres/${small}/${f}`, `postgres/${small}/${f}.json`])
        .sort(),
    );
    expect(audit().at(-1)).toMatchObject({ action: 'backup.prune', event: 'succeeded' });
  });

  it('SIGTERM during a backup: exit 143, nothing published, temp file gone, audited as cancelled', async () => {
    const before = filesUnder(root);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures/cli-main.ts'), '--config', configPath, 'backup', '--db', db],
      {
        env: { ...process.env, HOME: tmp.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Wait for the dump to be under way (its temp file exists), then stop it as a service manager would.
    const dir = path.join(root, 'postgres', db);
    await waitFor(() => readdirSync(dir).some((f) => f.endsWith('.partial')), {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the temp file of the dump',
      lastSeen: () => stderr,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/CANCELLED/);
    expect(filesUnder(root)).toEqual(before);
    expect(audit().at(-1)).toMatchObject({ action: 'backup.postgres', event: 'cancelled' });
  });

  it('TTY: one self-rewriting progress line (phase, bytes, rate, elapsed), cut to width, cleared at end', async () => {
    const r = await run(['backup', '--db', db], undefined, { columns: 72 });
    expect(r.code).toBe(0);
    const updates = r.err.split('\r\x1b[K');
    expect(updates[0]).toBe('');
    // The last rewrite clears the line: nothing is left on stderr after the progress.
    expect(updates.at(-1)).toBe('');
    const shown = updates.slice(1, -1);
    expect(shown.length).toBeGreaterThan(2);
    for (const u of shown) {
      expect(u).not.toContain('\n');
      expect(u.length).toBeLessThanOrEqual(71);
    }
    expect(shown).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${db}: dump [\\d.]+ [kMG]?B read, [\\d.]+ [kMG]?B written, [\\d.]+ [kMG]?B/s`),
      ),
    );
    expect(shown.some((u) => /, \d+s$/.test(u))).toBe(true);
    expect(r.out).toMatch(/^ok {2}full backup of /m);
    // A narrow terminal: every update cut to one cell less than the width, so it never wraps.
    const narrow = await run(['backup', '--db', db], undefined, { columns: 30 });
    const cut = narrow.err.split('\r\x1b[K').slice(1, -1);
    expect(cut.length).toBeGreaterThan(0);
    expect(Math.max(...cut.map((u) => u.length))).toBe(29);
  });

  it('not on a TTY, --json prints one machine-readable object per backup and nothing on stderr', async () => {
    const r = await run(['backup', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      source: db,
      kind: 'full',
      format: 'plain',
      result: 'succeeded',
      path: expect.stringMatching(/full_backup_\d{8}_\d{6}\.sql\.gz$/),
      size: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      error: null,
    });
    expect(lines[1]).toMatchObject({ source: 'files:app', kind: 'files', format: 'tar', result: 'succeeded' });
  });
});
