// `opsdeck restore-files` through commander with real tar and files: the dry run changes nothing,
// no terminal and no --yes is refused (exit 2), a wrong path typed declines, --yes restores and
// audits, a hostile archive is refused with exit 1, read-only mode is refused by the action layer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerFileRestoreCommands } from '../../src/cli/file-restore-commands.js';
import { loadConfig } from '../../src/config/resolve.js';
import { gnuTar, makeData, snapshot, tempRoot } from './files-helpers.js';

describe('opsdeck restore-files', () => {
  let root: { dir: string; remove: () => void };
  let file: string;
  let target: string;
  let configPath: string;
  let want: ReturnType<typeof snapshot>;

  beforeEach(() => {
    root = tempRoot('cli');
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    want = snapshot(src, false);
    const kb = path.join(root.dir, 'kb');
    mkdirSync(path.join(kb, 'daily/20241227'), { recursive: true });
    file = path.join(kb, 'daily/20241227/data_20241227_030000.tar.gz');
    gnuTar(['-czf', file, '-C', src, '.']);
    target = path.join(root.dir, 'srv', 'data');
    mkdirSync(target, { recursive: true });
    makeData(target, 'live');
    configPath = path.join(root.dir, 'opsdeck.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        discover: false,
        audit: { path: path.join(root.dir, 'audit.jsonl') },
        backups: {
          dir: path.join(root.dir, 'backups'),
          existing: [{ dir: kb, database: 'mks', restore: { data: target } }],
        },
      }),
    );
  });
  afterEach(() => root.remove());

  const cli = async (args: string[], ask?: (q: string) => Promise<string>, readOnly = false) => {
    let stdout = '';
    let stderr = '';
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    registerFileRestoreCommands(program, {
      loadConfig: () => loadConfig({ configPath, env: { HOME: root.dir }, discover: false, readOnly }),
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      setCode: (c) => (code = c),
      ...(ask ? { ask } : {}),
    });
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, code };
  };
  const audit = (): { action: string; event: string }[] =>
    readFileSync(path.join(root.dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; event: string });

  it('--dry-run prints the preflight and the plan and changes nothing', async () => {
    const before = snapshot(path.dirname(target));
    const r = await cli(['restore-files', file, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +archive: lists completely: \d+ entries/);
    expect(r.stdout).toMatch(/ok +archive entries: every entry stays inside its target/);
    expect(r.stdout).toMatch(/restore\.files .*srv\/data — 7 steps, DESTRUCTIVE: needs the target name typed/);
    expect(r.stdout).toContain(`fs: mv ${target} ${target}.before-restore-`);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(snapshot(path.dirname(target))).toEqual(before);
  });

  it('refuses without a terminal and without --yes (exit 2); a wrong path typed declines', async () => {
    const before = snapshot(target);
    const r = await cli(['restore-files', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'opsdeck: restore-files replaces files: run it on a terminal to type the target path, or pass --yes\n',
    );
    const asked: string[] = [];
    const d = await cli(['restore-files', path.basename(file)], async (q) => (asked.push(q), 'data'));
    expect(asked[0]).toContain(`Type the name "${target}"`);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('Declined: nothing was done.');
    expect(snapshot(target)).toEqual(before);
    expect(audit().at(-1)).toMatchObject({ action: 'restore.files', event: 'refused' });
  });

  it('the typed path (or --yes) restores, verifies and audits', async () => {
    const r = await cli(['restore-files', path.basename(file)], async () => target);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[2\/7\] verify every file against the archive: done — \d+ entries match the archive/);
    expect(r.stdout).toMatch(/RESTORED: .*srv\/data from data_20241227_030000\.tar\.gz/);
    expect(snapshot(target, false)).toEqual(want);
    expect(audit().map((e) => `${e.action} ${e.event}`)).toEqual([
      'restore.files confirmed',
      'restore.files succeeded',
    ]);
  });

  it('--only restores one file; a hostile archive is refused with exit 1; read-only is refused', async () => {
    writeFileSync(path.join(target, 'secret.key'), 'damaged');
    const one = await cli(['restore-files', file, '--only', 'secret.key', '--yes']);
    expect(one.code).toBe(0);
    expect(snapshot(path.join(target, 'secret.key'))['']).toMatchObject({ mode: 0o600, uid: 1001 });

    const before = snapshot(target);
    const ro = await cli(['restore-files', file, '--yes'], undefined, true);
    expect(ro.code).toBe(1);
    expect(ro.stdout).toMatch(/Refused: read-only mode/);
    expect(snapshot(target)).toEqual(before);

    const evil = path.join(root.dir, 'evil');
    mkdirSync(evil);
    writeFileSync(path.join(evil, 'x'), 'x');
    gnuTar(['-czPf', file, '--transform', 's,^.*/evil/x$,../escaped,', path.join(evil, 'x')]);
    const h = await cli(['restore-files', file, '--yes']);
    expect(h.code).toBe(1);
    expect(h.stdout).toMatch(
      /FAIL +archive entries: 1 entry is unsafe; nothing was changed\n +\.\.\/escaped: contains '\.\.'/,
    );
    expect(h.stderr).toBe('opsdeck: preflight failed; nothing was changed\n');
    expect(snapshot(target)).toEqual(before);
  });
});
