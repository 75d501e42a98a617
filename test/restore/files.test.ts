// File-set restore with real tar and real files (the tests run as root, so owners other than
// root are real): round-trip of contents, owners and modes from opsdeck's own files backup and
// from the knowledge manual's `tar -czf … -C DIR .` / `-C /etc letsencrypt` / `cp .env.production`;
// a failing step rolls back to the safety copy byte for byte (same inodes); hostile archives
// change nothing at all; read-only mode is refused by the action layer.
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileBackupJob } from '../../src/backup/file-backup.js';
import { runBackupJob } from '../../src/backup/job.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard, type PlanGuard } from '../../src/plan/guard.js';
import { linkEscapes, normalizeMember } from '../../src/restore/files/archive.js';
import { prepareFileRestore, type FileRestoreOptions } from '../../src/restore/files/plan.js';
import type { FileRestoreConfig } from '../../src/restore/files/source.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { configSchema } from '../../src/config/schema.js';
import { healthChecker } from '../../src/app/health-checker.js';
import { flagService, gnuTar, makeData, namesIn, snapshot, tempRoot } from './files-helpers.js';

const approve: PlanGuard = { check: () => ({ ok: true }) };

describe('file-set restore', () => {
  let root: { dir: string; remove: () => void };
  let audit: MemoryAudit;
  beforeEach(() => {
    root = tempRoot('core');
    audit = new MemoryAudit();
  });
  afterEach(() => root.remove());

  const base = (over: Partial<FileRestoreConfig> = {}): FileRestoreConfig => ({
    files: [],
    existing: [],
    services: [],
    backupDir: path.join(root.dir, 'backups'),
    ...over,
  });
  const restore = async (opts: Omit<FileRestoreOptions, 'audit'>, guard = approve) => {
    const prep = await prepareFileRestore({ ...opts, audit });
    if (!prep.restore) return { prep, outcome: undefined };
    const outcome = await executePlan(prep.restore.plan, { guard, audit });
    return { prep, outcome };
  };

  /** The knowledge manual's layout: <dir>/daily/YYYYMMDD/data_TS.tar.gz made with `tar -czf … -C DATA .`. */
  const knowledgeBackup = (data: string): { dir: string; file: string } => {
    const dir = path.join(root.dir, 'kbackups');
    const day = path.join(dir, 'daily', '20241227');
    mkdirSync(day, { recursive: true });
    const file = path.join(day, 'data_20241227_030000.tar.gz');
    gnuTar(['-czf', file, '-C', data, '.']);
    return { dir, file };
  };

  it("round-trips contents, owners and modes from opsdeck's own files backup; the old content kept aside", async () => {
    const data = path.join(root.dir, 'app', 'data');
    mkdirSync(data, { recursive: true });
    makeData(data);
    const before = snapshot(data, false);
    const flag = path.join(root.dir, 'web.running');
    writeFileSync(flag, '');
    const rec = await runBackupJob(fileBackupJob({ root: path.join(root.dir, 'backups'), name: 'app', paths: [data] }));
    // The data changes after the backup: edits, a new file, a mode and an owner changed.
    writeFileSync(path.join(data, 'index.json'), 'changed');
    writeFileSync(path.join(data, 'new.txt'), 'new');
    chmodSync(path.join(data, 'secret.key'), 0o644);
    chownSync(path.join(data, 'uploads/2024/12/photo.bin'), 0, 0);
    const changed = snapshot(data, false);

    const config = base({
      files: [{ name: 'app', paths: [data], services: ['web'] }],
      services: [flagService('web', flag)],
    });
    const { prep, outcome } = await restore({ backup: rec.path, config });
    expect(prep.checks.map((c) => `${c.status} ${c.title}`)).toEqual([
      'pass archive',
      'pass archive entries',
      'pass target',
      'pass space',
      'pass services',
      'pass ownership and modes',
    ]);
    expect(prep.checks.find((c) => c.id === 'services')?.detail).toContain('web');
    expect(prep.checks.find((c) => c.id === 'owner')?.detail).toMatch(/owners as archived: .*1234:2345/);
    expect(outcome?.result).toBe('succeeded');
    expect(snapshot(data, false)).toEqual(before);
    const aside = prep.restore!.targets[0]!.aside;
    expect(snapshot(aside, false)).toEqual(changed);
    expect(outcome?.summary.join('\n')).toMatch(
      /RESTORED: .*data from app_.*entries verified\. The previous content is kept as/,
    );
    expect(outcome?.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'extract:done',
      'verify:done',
      'stop-services:done',
      'move-aside:done',
      'put-in-place:done',
      'start-services:done',
      'health-check:done',
    ]);
    // The service was stopped and is running again; nothing staged is left beside the target.
    expect(namesIn(path.dirname(data)).filter((n) => n.includes('opsdeck-restore'))).toEqual([]);
    expect(snapshot(flag)['']?.type).toBe('file');
    expect(audit.entries.map((e) => `${e.action} ${e.event}`)).toEqual([
      'restore.files confirmed',
      'restore.files succeeded',
    ]);
  });

  it("round-trips a `tar -czf … -C DIR .` archive made by the system tar (the manual's data backup)", async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'kb');
    chmodSync(src, 0o750);
    chownSync(src, 1001, 1002);
    const { dir, file } = knowledgeBackup(src);
    const want = snapshot(src, false);
    const target = path.join(root.dir, 'var', 'data');
    mkdirSync(target, { recursive: true });
    makeData(target, 'other');
    const config = base({ existing: [{ dir, database: 'mks', restore: { data: target } }] });
    const { prep, outcome } = await restore({ backup: file, config });
    expect(prep.restore?.targets[0]).toMatchObject({ dest: target, prefix: '', strip: 0 });
    expect(outcome?.result).toBe('succeeded');
    expect(snapshot(target, false)).toEqual(want);
  });

  it('restores `tar -czf … -C /etc letsencrypt` into its path, top directory stripped, configured owner', async () => {
    const etc = path.join(root.dir, 'etc');
    mkdirSync(path.join(etc, 'letsencrypt/live/example.com'), { recursive: true });
    mkdirSync(path.join(etc, 'letsencrypt/archive/example.com'), { recursive: true });
    writeFileSync(path.join(etc, 'letsencrypt/archive/example.com/cert1.pem'), 'CERT');
    // certbot's own layout: live/ links into archive/ with ../..
    const { symlinkSync } = await import('node:fs');
    symlinkSync('../../archive/example.com/cert1.pem', path.join(etc, 'letsencrypt/live/example.com/cert.pem'));
    const dir = path.join(root.dir, 'kb');
    mkdirSync(path.join(dir, 'daily/20241227'), { recursive: true });
    const file = path.join(dir, 'daily/20241227/letsencrypt_20241227_030000.tar.gz');
    gnuTar(['-czf', file, '-C', etc, 'letsencrypt']);
    const target = path.join(root.dir, 'new-etc', 'letsencrypt');
    mkdirSync(path.dirname(target));
    const config = base({
      existing: [
        { dir, database: 'mks', restore: { letsencrypt: { path: target, owner: '1500:1600', services: [] } } },
      ],
    });
    const { prep, outcome } = await restore({ backup: file, config });
    expect(prep.restore?.targets[0]).toMatchObject({ prefix: 'letsencrypt', strip: 1, exists: false });
    expect(outcome?.result).toBe('succeeded');
    const got = snapshot(target, false);
    expect(got['live/example.com/cert.pem']).toMatchObject({
      type: 'symlink',
      content: '../../archive/example.com/cert1.pem',
    });
    expect(got['archive/example.com/cert1.pem']).toMatchObject({ type: 'file', uid: 1500, gid: 1600 });
    expect(Object.values(got).every((s) => s.uid === 1500 && s.gid === 1600)).toBe(true);
  });

  it('restores env.production_TS alone as .env.production with mode 0600, keeping its owner', async () => {
    const dir = path.join(root.dir, 'kb');
    mkdirSync(path.join(dir, 'daily/20241227'), { recursive: true });
    const file = path.join(dir, 'daily/20241227/env.production_20241227_030000');
    writeFileSync(file, 'SECRET_KEY=from-backup\n', { mode: 0o644 });
    const app = path.join(root.dir, 'backend');
    mkdirSync(app);
    const env = path.join(app, '.env.production');
    writeFileSync(env, 'SECRET_KEY=broken\n', { mode: 0o644 });
    chownSync(env, 1001, 1002);
    const config = base({ existing: [{ dir, database: 'mks', restore: { 'env.production': env } }] });
    const { prep, outcome } = await restore({ backup: file, config });
    expect(prep.checks.find((c) => c.id === 'owner')?.detail).toBe(`${env}: mode 0600, owner 1001:1002`);
    expect(outcome?.result).toBe('succeeded');
    expect(snapshot(env)['']).toMatchObject({ type: 'file', mode: 0o600, uid: 1001, gid: 1002 });
    expect(snapshot(env)['']?.content).toBe(snapshot(file)['']?.content);
    // The secret is never in what the operator or the audit trail sees.
    const seen = JSON.stringify([prep.checks, outcome, audit.entries]);
    expect(seen).not.toContain('from-backup');
    expect(seen).not.toContain('broken');
  });

  it('--only restores one file of an archive alone, with its archived mode', async () => {
    const data = path.join(root.dir, 'data');
    mkdirSync(data);
    makeData(data);
    const { dir, file } = knowledgeBackup(data);
    writeFileSync(path.join(data, 'secret.key'), 'damaged', { mode: 0o666 });
    writeFileSync(path.join(data, 'index.json'), 'also changed');
    const config = base({ existing: [{ dir, database: 'mks', restore: { data } }] });
    const { prep, outcome } = await restore({ backup: file, config, only: 'secret.key' });
    expect(prep.restore?.targets).toHaveLength(1);
    expect(prep.restore?.plan.target).toBe(path.join(data, 'secret.key'));
    expect(outcome?.result).toBe('succeeded');
    expect(snapshot(path.join(data, 'secret.key'), false)['']).toMatchObject({ mode: 0o600, uid: 1001, gid: 1002 });
    expect(snapshot(data)['index.json']?.content).toBe(snapshot(path.join(data, 'index.json'))['']?.content);
    const bad = await prepareFileRestore({ backup: file, config, only: 'nope.txt', audit });
    expect(bad.checks.at(-1)?.detail).toMatch(/^--only nope\.txt: no such file in data_20241227_030000\.tar\.gz$/);
  });

  it('a service whose start exits 1 rolls the target back to the safety copy byte for byte (same inodes)', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const before = snapshot(target);
    const parentBefore = namesIn(root.dir);
    const flag = path.join(root.dir, 'web.running');
    writeFileSync(flag, '');
    const config = base({
      existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['web'] } } }],
      services: [flagService('web', flag, true)],
    });
    const { outcome } = await restore({ backup: file, config });
    expect(outcome?.result).toBe('failed');
    expect(outcome?.steps.find((s) => s.status === 'failed')?.id).toBe('start-services');
    expect(snapshot(target)).toEqual(before);
    expect(namesIn(root.dir)).toEqual(parentBefore.filter((n) => n !== 'web.running'));
    expect(outcome?.summary.join('\n')).toContain(`ROLLED BACK: ${target} is back exactly as it was`);
    expect(audit.entries.find((e) => e.action === 'restore.files.rollback')).toBeDefined();
  });

  it('a failing health check rolls back and starts the services again', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const before = snapshot(target);
    const flag = path.join(root.dir, 'web.running');
    // The service starts, then dies: the status's fifth call (the health check; stop and start
    // call it twice each) says stopped.
    const count = path.join(root.dir, 'status-calls');
    const script = `n=$(cat "$1" 2>/dev/null || echo 0); echo $((n+1)) > "$1"; test -e "$2" && [ "$n" != 4 ]`;
    const svc = { ...flagService('web', flag), status: ['sh', '-c', script, 'sh', count, flag] };
    writeFileSync(flag, '');
    const config = base({
      existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['web'] } } }],
      services: [svc],
    });
    const { outcome } = await restore({ backup: file, config });
    expect(outcome?.result).toBe('failed');
    expect(outcome?.steps.find((s) => s.status === 'failed')?.id).toBe('health-check');
    expect(snapshot(target)).toEqual(before);
    expect(outcome?.summary.join('\n')).toMatch(/ROLLED BACK: .*\nServices started again: web\./);
  });

  it("ends with the services' named health checks: a passing one is shown, a failing one rolls back", async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const flag = path.join(root.dir, 'web.running');
    writeFileSync(flag, '');
    // The check looks at the restored files: the backup has readme.txt with "readme backup".
    const parsed = configSchema.parse({
      services: [{ ...flagService('web', flag), checks: ['readme'] }],
      checks: [{ name: 'readme', command: ['grep', '-q', 'readme backup', path.join(target, 'uploads/readme.txt')] }],
    });
    const health = healthChecker({ checks: parsed.checks, defaultChecks: [] })!;
    const config = base({
      existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['web'] } } }],
      services: parsed.services,
    });
    const ok = await restore({ backup: file, config, serviceDeps: { health } });
    expect(ok.outcome?.result, ok.outcome?.summary.join('\n')).toBe('succeeded');
    const step = ok.outcome!.steps.find((s) => s.id === 'health-check')!;
    expect(step.description.text).toContain('then the checks readme: run grep -q');
    expect(step.output).toContain('PASS readme: exit 0 (1 attempt)');
    expect(step.note).toBe('1 service running; 1 check passed');
  });

  it('a failing named health check fails the restore, says which and why, and rolls back', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const before = snapshot(target);
    const flag = path.join(root.dir, 'web.running');
    writeFileSync(flag, '');
    const failing = configSchema.parse({
      services: [{ ...flagService('web', flag), checks: ['readme'] }],
      checks: [{ name: 'readme', command: ['grep', '-q', 'no such text', path.join(target, 'uploads/readme.txt')] }],
    });
    const config = base({
      existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['web'] } } }],
      services: failing.services,
    });
    const bad = await restore({
      backup: file,
      config,
      serviceDeps: { health: healthChecker({ checks: failing.checks, defaultChecks: [] })! },
    });
    expect(bad.outcome?.result).toBe('failed');
    expect(bad.outcome?.steps.find((s) => s.status === 'failed')?.id).toBe('health-check');
    expect(bad.outcome?.error).toBe('health check failed: readme (exit code 1, 1 attempt)');
    expect(snapshot(target)).toEqual(before);
    expect(bad.outcome?.summary.join('\n')).toMatch(/ROLLED BACK: .*\nServices started again: web\./);
  });

  it('a file that does not match the archive fails verification and leaves the target untouched', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const before = snapshot(target);
    const parentBefore = namesIn(root.dir);
    const config = base({ existing: [{ dir, database: 'mks', restore: { data: target } }] });
    const { outcome } = await restore({
      backup: file,
      config,
      // Same size as 'readme backup\n': only the sha256 can tell.
      afterExtract: async ([staging]) => writeFileSync(path.join(staging!, 'uploads/readme.txt'), 'README BACKUP\n'),
    });
    expect(outcome?.result).toBe('failed');
    expect(outcome?.error).toMatch(
      /verification failed: 1 problem, first: .*uploads\/readme\.txt: content differs from the archive \(sha256\)/,
    );
    expect(snapshot(target)).toEqual(before);
    expect(namesIn(root.dir)).toEqual(parentBefore);
    expect(outcome?.summary.join('\n')).toContain(`UNTOUCHED: ${target} was not changed.`);
  });

  it.each([
    ['an owner', (f: string) => chownSync(f, 4242, 4242), /secret\.key: owner 4242:4242, expected 1001:1002/],
    ['a mode', (f: string) => chmodSync(f, 0o644), /secret\.key: mode 0644, expected 0600/],
  ])('%s that does not match the archive fails verification', async (_what, damage, why) => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    const config = base({ existing: [{ dir, database: 'mks', restore: { data: target } }] });
    const { outcome } = await restore({
      backup: file,
      config,
      afterExtract: async ([staging]) => damage(path.join(staging!, 'secret.key')),
    });
    expect(outcome?.result).toBe('failed');
    expect(outcome?.error).toMatch(why);
    expect(namesIn(root.dir)).not.toContain('data');
  });

  describe('hostile archives change nothing at all', () => {
    /** A tar.gz written header by header, so any path or link can be put in it. */
    const rawTar = (entries: { path: string; type?: string; linkpath?: string; data?: string }[]): Buffer => {
      const blocks: Buffer[] = [];
      for (const e of entries) {
        const data = Buffer.from(e.data ?? '');
        const type = e.type ?? 'File';
        const h = new tar.Header({
          path: e.path,
          type: type as 'File',
          mode: type === 'Directory' ? 0o755 : 0o644,
          size: type === 'File' ? data.length : 0,
          uid: 0,
          gid: 0,
          mtime: new Date(0),
          ...(e.linkpath ? { linkpath: e.linkpath } : {}),
        });
        const block = Buffer.alloc(512);
        h.encode(block, 0);
        blocks.push(block);
        if (type === 'File' && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
      }
      blocks.push(Buffer.alloc(1024));
      return gzipSync(Buffer.concat(blocks));
    };
    const cases: [string, Parameters<typeof rawTar>[0], RegExp][] = [
      [
        '../x',
        [
          { path: './ok.txt', data: 'ok' },
          { path: '../x', data: 'escaped' },
        ],
        /\.\.\/x: contains '\.\.'/,
      ],
      [
        'absolute /etc/x',
        [
          { path: './ok.txt', data: 'ok' },
          { path: '/etc/opsdeck-x', data: 'escaped' },
        ],
        /\/etc\/opsdeck-x: absolute path/,
      ],
      [
        'symlink escaping, then a file through it',
        [
          { path: './up', type: 'SymbolicLink', linkpath: '../..' },
          { path: './up/x', data: 'escaped' },
        ],
        /up: symlink to \.\.\/\.\. points outside/,
      ],
      [
        'absolute symlink',
        [{ path: './passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
        /passwd: symlink to \/etc\/passwd points outside/,
      ],
      [
        'symlink escaping through another symlink',
        [
          { path: './a', type: 'Directory' },
          { path: './a/b', type: 'SymbolicLink', linkpath: '..' },
          { path: './c', type: 'SymbolicLink', linkpath: 'a/b/..' },
        ],
        /c: symlink to a\/b\/\.\. points outside/,
      ],
      [
        'hard link escaping (absolute)',
        [{ path: './h', type: 'Link', linkpath: '/etc/passwd' }],
        /h: hard link to \/etc\/passwd: absolute path/,
      ],
      [
        'hard link escaping (..)',
        [{ path: './h', type: 'Link', linkpath: '../outside' }],
        /h: hard link to \.\.\/outside: contains '\.\.'/,
      ],
      [
        'a device node',
        [{ path: './null', type: 'CharacterDevice' }],
        /null: CharacterDevice entries are not restored/,
      ],
    ];
    it.each(cases)('%s', async (_name, entries, why) => {
      const dir = path.join(root.dir, 'kb');
      mkdirSync(path.join(dir, 'daily/20241227'), { recursive: true });
      const file = path.join(dir, 'daily/20241227/data_20241227_030000.tar.gz');
      writeFileSync(file, rawTar(entries));
      const target = path.join(root.dir, 'srv', 'data');
      mkdirSync(target, { recursive: true });
      makeData(target, 'live');
      const before = snapshot(path.join(root.dir, 'srv'));
      const flag = path.join(root.dir, 'web.running');
      writeFileSync(flag, '');
      const config = base({
        existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['web'] } } }],
        services: [flagService('web', flag)],
      });
      const prep = await prepareFileRestore({ backup: file, config, audit });
      expect(prep.restore).toBeUndefined();
      const c = prep.checks.find((x) => x.status === 'fail')!;
      expect(c.detail).toMatch(/unsafe; nothing was changed$/);
      expect(c.lines?.join('\n')).toMatch(why);
      expect(snapshot(path.join(root.dir, 'srv'))).toEqual(before);
      expect(snapshot(flag)['']?.type).toBe('file'); // the service was never stopped
      expect(namesIn(path.join(root.dir, 'srv'))).toEqual(['data']);
    });
  });

  it('a truncated archive does not list completely and is refused', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src);
    const { dir, file } = knowledgeBackup(src);
    const { readFileSync } = await import('node:fs');
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const target = path.join(root.dir, 'data');
    const prep = await prepareFileRestore({
      backup: file,
      config: base({ existing: [{ dir, database: 'mks', restore: { data: target } }] }),
      audit,
    });
    expect(prep.restore).toBeUndefined();
    expect(prep.checks.at(-1)?.detail).toMatch(/^does not list completely: /);
  });

  it('says what to configure when an existing set has no restore path, and refuses unknown services', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src);
    const { dir, file } = knowledgeBackup(src);
    const none = await prepareFileRestore({
      backup: file,
      config: base({ existing: [{ dir, database: 'mks' }] }),
      audit,
    });
    expect(none.checks.at(-1)?.detail).toBe(
      'no restore path for file set "data": ' +
        'add backups.existing[0].restore.data: /path/it/restores/to to the config, or pass --to PATH',
    );
    const target = path.join(root.dir, 'data');
    const svc = await prepareFileRestore({
      backup: file,
      config: base({ existing: [{ dir, database: 'mks', restore: { data: { path: target, services: ['nginx'] } } }] }),
      audit,
    });
    expect(svc.checks.at(-1)?.detail).toBe(
      'backups.existing[0].restore.data names nginx, not in services: add it under services or remove it',
    );
  });

  it('read-only mode: the action layer refuses and nothing changes', async () => {
    const src = path.join(root.dir, 'src');
    mkdirSync(src);
    makeData(src, 'backup');
    const { dir, file } = knowledgeBackup(src);
    const target = path.join(root.dir, 'data');
    mkdirSync(target);
    makeData(target, 'live');
    const before = snapshot(target);
    const guard = new ActionGuard({ readOnly: true, audit, timer: false });
    const { outcome } = await restore(
      { backup: file, config: base({ existing: [{ dir, database: 'mks', restore: { data: target } }] }) },
      guard,
    );
    expect(outcome?.result).toBe('refused');
    expect(outcome?.error).toMatch(/^read-only mode/);
    expect(snapshot(target)).toEqual(before);
    expect(namesIn(root.dir).filter((n) => n.includes('opsdeck-restore'))).toEqual([]);
  });

  it('pure checks: member paths and link resolution', () => {
    expect(normalizeMember('./a/./b/')).toEqual({ path: 'a/b' });
    expect(normalizeMember('.')).toEqual({ path: '' });
    expect(normalizeMember('a/../b')).toEqual({ refused: "a/../b: contains '..'" });
    const links = new Map([['a/b', '..']]);
    expect(linkEscapes('l', 'a/b', links)).toBe(false);
    expect(linkEscapes('l', 'a/b/..', links)).toBe(true);
    expect(linkEscapes('x/y/l', '../../z', new Map())).toBe(false);
    expect(linkEscapes('x/l', '../../z', new Map())).toBe(true);
  });
});
