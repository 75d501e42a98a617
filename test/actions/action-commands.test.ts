// The CLI commands over the action layer: dry run, confirmation rules, read-only refusal, audit.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/plan/audit.js';
import { registerActionCommands } from '../../src/cli/action-commands.js';
import { resolveConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sink(): Writable & { text: () => string } {
  let buf = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { text: () => buf });
}

async function config(extra: Partial<ConfigInput> = {}): Promise<OpsdeckConfig> {
  const marker = path.join(dir, 'svc.up');
  const parsed = configSchema.parse({
    services: [
      {
        name: 'svc',
        group: 'application',
        start: ['touch', marker],
        stop: ['rm', '-f', marker],
        status: ['test', '-e', marker],
        timeout: '5s',
      },
    ],
    audit: { path: path.join(dir, 'audit.jsonl') },
    targets: { docker: { enabled: false }, postgres: { enabled: false }, redis: { enabled: false } },
    ...extra,
  });
  return resolveConfig(parsed, { path: null, via: 'defaults' }, {}, { discover: false });
}

async function run(args: string[], cfg?: OpsdeckConfig): Promise<{ code: number; out: string; err: string }> {
  const c = cfg ?? (await config());
  const stdout = sink();
  const stderr = sink();
  let code = 0;
  const program = new Command('opsdeck').exitOverride();
  program.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  registerActionCommands(program, {
    loadConfig: async () => c,
    stdout,
    stderr,
    setCode: (n) => (code = n),
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
  });
  for (const sub of program.commands) sub.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('opsdeck service / container / audit', () => {
  it('--dry-run prints the plan with its exact commands and does nothing', async () => {
    const r = await run(['service', 'start', 'svc', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('service.start svc — 1 step, no confirmation needed');
    expect(r.out).toMatch(
      /argv: unless already running: touch \S+svc\.up, then wait until `test -e \S+svc\.up` says running/,
    );
    expect(r.out).toContain('(dry run: nothing was done)');
    expect(await readAudit(path.join(dir, 'audit.jsonl'))).toEqual([]);
  });

  it('refuses with a clear line and exit 2 when a yes is needed and there is no terminal', async () => {
    const reason = 'not confirmed: no terminal to ask on; run it in a terminal or pass --yes';
    const r = await run(['service', 'stop', '--all']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`opsdeck: service.stop-all all services: ${reason}`);
    const audit = await readAudit(path.join(dir, 'audit.jsonl'));
    expect(audit.map((e) => [e.event, e.reason])).toEqual([['refused', reason]]);
  });

  it('runs with --yes, prints progress and the summary, and the audit command shows it', async () => {
    const r = await run(['service', 'start', '--all', '--yes']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('[1/2] running: start svc');
    expect(r.err).toContain('[2/2] done: health check');
    expect(r.out).toBe('Succeeded: all 2 steps done.\n');
    const a = await run(['audit', '--limit', '5']);
    expect(a.out.trim().split('\n')).toHaveLength(2);
    expect(a.out).toMatch(/confirmed\s+service\.start-all all services/);
    expect(a.out).toMatch(/succeeded\s+service\.start-all all services {2}\(\d+\.\d s\)/);
  });

  it('is refused in read-only mode, at the action layer, with exit 2', async () => {
    const cfg = await config({ readOnly: true });
    const r = await run(['service', 'start', 'svc', '--yes'], cfg);
    expect(r.code).toBe(2);
    expect(r.out).toContain('Refused: read-only mode');
    const audit = await readAudit(cfg.auditPath);
    expect(audit.map((e) => e.event)).toEqual(['refused']);
  });

  it('service restart NAME: ends with the health checks, runs with --yes, a failing check exits 1', async () => {
    const marker = path.join(dir, 'svc.up');
    const extra = (cmd: string[]): Partial<ConfigInput> => ({
      checks: [{ name: 'up', command: cmd }],
      defaultChecks: ['up'],
    });
    const dry = await run(['service', 'restart', 'svc', '--dry-run'], await config(extra(['test', '-e', marker])));
    expect(dry.out).toContain('service.restart svc — 2 steps, needs a yes');
    expect(dry.out).toContain(`argv: rm -f ${marker}, then touch ${marker}, then wait until`);
    expect(dry.out).toContain(
      `check: every service reports running, then the checks up: run test -e ${marker} → exit 0 — status: svc: test`,
    );
    const ok = await run(['service', 'restart', 'svc', '--yes'], await config(extra(['test', '-e', marker])));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toContain('[2/2] done: health check — 1 check passed');
    const bad = await run(['service', 'restart', 'svc', '--yes'], await config(extra(['false'])));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('Failed at "health check": health check failed: up (exit code 1, 1 attempt)');
    const ro = await run(['service', 'reload', 'svc', '--yes'], await config({ readOnly: true }));
    expect(ro).toMatchObject({
      code: 2,
      err: expect.stringContaining('opsdeck: service svc has no reload command configured'),
    });
    const refused = await run(['service', 'restart', 'svc', '--yes'], await config({ readOnly: true }));
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('Refused: read-only mode');
  });

  it('says in one line what is wrong with the arguments or the config', async () => {
    expect(await run(['service', 'start'])).toMatchObject({
      code: 2,
      err: 'opsdeck: service start: give either a service name or --all\n',
    });
    expect(await run(['service', 'start', 'nope', '--yes'])).toMatchObject({
      code: 2,
      err: 'opsdeck: no service named "nope" in the config (known: svc)\n',
    });
    expect(await run(['container', 'stop', 'web'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^opsdeck: Docker is not configured/),
    });
  });
});

describe('asking on a real terminal', () => {
  async function inTerminal(args: string[], answer: string): Promise<{ code: number; screen: string }> {
    const pty = (await import('node-pty')).default;
    const cfgFile = path.join(dir, 'opsdeck.yaml');
    const marker = path.join(dir, 'svc.up');
    const m = JSON.stringify(marker);
    writeFileSync(
      cfgFile,
      [
        'targets: { docker: { enabled: false }, postgres: { enabled: false }, redis: { enabled: false } }',
        `audit: { path: ${JSON.stringify(path.join(dir, 'audit.jsonl'))} }`,
        'services:',
        `  - { name: svc, group: application, start: [touch, ${m}], stop: [rm, -f, ${m}], status: [test, -e, ${m}] }`,
      ].join('\n'),
    );
    const fixture = path.join(import.meta.dirname, 'fixtures', 'action-cli.ts');
    const term = pty.spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      cols: 120,
      rows: 40,
      cwd: process.cwd(),
      env: { ...process.env, OPSDECK_TEST_CONFIG: cfgFile } as Record<string, string>,
    });
    let screen = '';
    let answered = false;
    return new Promise((resolve) => {
      term.onData((d) => {
        screen += d;
        // Answer once the question is on screen, never after a guessed delay.
        if (!answered && screen.includes('[y/N]')) {
          answered = true;
          term.write(`${answer}\r`);
        }
      });
      term.onExit(({ exitCode }) => resolve({ code: exitCode, screen }));
    });
  }

  it('shows the plan and its blast radius, asks, and acts on a yes', async () => {
    writeFileSync(path.join(dir, 'svc.up'), '');
    const r = await inTerminal(['service', 'stop', 'svc'], 'y');
    expect(r.screen).toContain('service.stop svc — 1 step, needs a yes');
    expect(r.screen).toContain('svc (application) is running');
    expect(r.screen).toContain('Run service.stop on svc? [y/N]');
    expect(r.screen).toContain('Succeeded: all 1 step done.');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'svc.up'))).toBe(false);
  });

  it('does nothing on any other answer, and records the refusal', async () => {
    writeFileSync(path.join(dir, 'svc.up'), '');
    const r = await inTerminal(['service', 'stop', 'svc'], 'nope');
    expect(r.code).toBe(2);
    expect(r.screen).toContain('opsdeck: service.stop svc: not confirmed by the operator');
    expect(existsSync(path.join(dir, 'svc.up'))).toBe(true);
    expect((await readAudit(path.join(dir, 'audit.jsonl'))).map((e) => [e.event, e.reason])).toEqual([
      ['refused', 'not confirmed by the operator'],
    ]);
  });
});
