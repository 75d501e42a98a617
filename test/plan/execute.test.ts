// The action layer called directly (no UI): plans run step by step, stop at the first failure,
// can be cancelled, are refused in read-only mode, and every event lands in the audit file.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, readAudit, type AuditEntry } from '../../src/plan/audit.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { holdsFor } from '../helpers/wait.js';
import { ActionError } from '../../src/plan/errors.js';
import { executePlan, OUTPUT_TAIL } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { formatPlan, type Plan, type PlanRun, type Step } from '../../src/plan/plan.js';

let dir: string;
let auditPath: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-actions-'));
  auditPath = path.join(dir, 'state', 'opsdeck', 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

function step(id: string, run?: Step['run'], extra: Partial<Step> = {}): Step {
  return {
    id,
    title: `step ${id}`,
    describe: () => ({ kind: 'argv', text: `do ${id}`, argv: ['do', id] }),
    run:
      run ??
      (async (ctx) => {
        ran.push(id);
        ctx.output(`${id} ran`);
      }),
    ...extra,
  };
}

function plan(steps: Step[], extra: Partial<Plan> = {}): Plan {
  return { action: 'test.run', target: 'thing', danger: 'confirm', steps, ...extra };
}

const open = (audit = new AuditLog({ path: auditPath })) => ({
  guard: new ActionGuard({ readOnly: false, audit, timer: false }),
  audit,
});

async function lines(): Promise<AuditEntry[]> {
  return readAudit(auditPath, 100);
}

describe('executePlan', () => {
  it('runs every step, reports each state, and audits confirmed + succeeded', async () => {
    const updates: PlanRun[] = [];
    const out = await executePlan(plan([step('a'), step('b'), step('c')]), {
      ...open(),
      onUpdate: (r) => updates.push(r),
    });
    expect(out.result).toBe('succeeded');
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect(out.steps[0]!.output).toEqual(['a ran']);
    expect(out.summary[0]).toMatch(/all 3 steps done/);
    // Someone watching saw b running while c was still pending.
    expect(updates.some((u) => u.steps[1]!.status === 'running' && u.steps[2]!.status === 'pending')).toBe(true);
    const audit = await lines();
    expect(audit.map((e) => e.event)).toEqual(['confirmed', 'succeeded']);
    expect(audit[0]).toMatchObject({
      action: 'test.run',
      target: 'thing',
      steps: ['step a: do a', 'step b: do b', 'step c: do c'],
    });
    expect(audit[1]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(audit[1]!.operator.user).toBeTruthy();
    expect(audit[1]!.host).toBeTruthy();
  });

  it('stops at the first failure, skips the rest, and says what was and was not done', async () => {
    const failing = step('b', async () => {
      throw new ActionError('already_stopped', 'container web is already stopped');
    });
    const out = await executePlan(plan([step('a'), failing, step('c')]), open());
    expect(out.result).toBe('failed');
    expect(ran).toEqual(['a']);
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'failed', 'skipped']);
    expect(out.errorKind).toBe('already_stopped');
    expect(out.summary).toEqual([
      'Failed at "step b": container web is already stopped',
      'Done: step a.',
      'Not done: step c.',
    ]);
    const audit = await lines();
    expect(audit.map((e) => e.event)).toEqual(['confirmed', 'failed']);
    expect(audit[1]).toMatchObject({ result: 'failed', error: 'container web is already stopped' });
  });

  it('cancels a cancellable step at once and skips the rest', async () => {
    const ac = new AbortController();
    const waiting = step(
      'b',
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new ActionError('cancelled', 'cancelled')));
          ac.abort();
        }),
      { cancellable: true },
    );
    const out = await executePlan(plan([step('a'), waiting, step('c')]), { ...open(), signal: ac.signal });
    expect(out.result).toBe('cancelled');
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'cancelled', 'skipped']);
    expect(out.summary).toEqual([
      'Cancelled by the operator.',
      'Done: step a.',
      'Cancelled part-way: step b.',
      'Not done: step c.',
    ]);
    expect((await lines()).map((e) => e.event)).toEqual(['confirmed', 'cancelled']);
  });

  it('lets a step that is not cancellable finish, then skips the rest', async () => {
    const ac = new AbortController();
    const stubborn = step('b', async (ctx) => {
      ac.abort();
      // It never sees the cancel: a cancellable step's signal aborts in the same tick; 30 ms is many ticks.
      await holdsFor(30, () => !ctx.signal.aborted, "the step's signal staying unaborted");
      ran.push('b');
    });
    const out = await executePlan(plan([step('a'), stubborn, step('c')]), { ...open(), signal: ac.signal });
    expect(out.result).toBe('cancelled');
    expect(ran).toEqual(['a', 'b']);
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'done', 'skipped']);
  });

  it('keeps only a bounded tail of output per step', async () => {
    const chatty = step('a', async (ctx) => {
      for (let i = 0; i < 10_000; i++) ctx.output(`line ${i}`);
    });
    const out = await executePlan(plan([chatty]), open());
    expect(out.steps[0]!.output).toHaveLength(OUTPUT_TAIL);
    expect(out.steps[0]!.output.at(-1)).toBe('line 9999');
  });

  it('appends the epilogue (what is running now) to the summary after a failure', async () => {
    const out = await executePlan(
      plan([step('a', async () => Promise.reject(new Error('boom')))], {
        epilogue: async (o) => [`Now: after ${o.result}`],
      }),
      open(),
    );
    expect(out.summary.at(-1)).toBe('Now: after failed');
  });

  it('still runs when the audit trail cannot be written, and says so', async () => {
    const bad = new AuditLog({ path: '/proc/opsdeck-cannot-write/audit.jsonl' }); // a directory nobody can create
    const out = await executePlan(plan([step('a')]), open(bad));
    expect(out.result).toBe('succeeded');
    expect(out.warnings[0]).toMatch(/audit trail could not be written/);
    expect(out.summary.at(-1)).toMatch(/^Warning: the audit trail/);
  });
});

describe('read-only mode and arming', () => {
  it('refuses a state-changing plan at the action layer, runs nothing, and audits the refusal', async () => {
    const audit = new AuditLog({ path: auditPath });
    const guard = new ActionGuard({ readOnly: true, audit, timer: false });
    const out = await executePlan(plan([step('a'), step('b')]), { guard, audit });
    expect(out.result).toBe('refused');
    expect(ran).toEqual([]);
    expect(out.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(out.summary).toContain('Nothing was done.');
    const entries = await lines();
    expect(entries.map((e) => e.event)).toEqual(['refused']);
    expect(entries[0]!.error).toMatch(/read-only/);
  });

  it('lets a plan that only reads through', async () => {
    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: true, audit, timer: false });
    const out = await executePlan(plan([step('a')], { changesState: false }), { guard, audit });
    expect(out.result).toBe('succeeded');
  });

  it('arms for N minutes with a reason, then returns to read-only by itself', async () => {
    let now = Date.parse('2025-01-01T03:00:00Z');
    const audit = new AuditLog({ path: auditPath, now: () => now });
    const guard = new ActionGuard({ readOnly: true, audit, clock: { now: () => now }, timer: false });
    await expect(guard.arm(10, ' ')).rejects.toThrow(/needs a reason/);
    await expect(guard.arm(0, 'INC-42')).rejects.toThrow(/between 1 and 120 minutes/);
    const s = await guard.arm(10, 'INC-42 restart the stuck worker');
    expect(s).toMatchObject({ mode: 'armed', reason: 'INC-42 restart the stuck worker', remainingMs: 600_000 });

    expect((await executePlan(plan([step('a')]), { guard, audit })).result).toBe('succeeded');
    now += 10 * 60_000 + 1;
    expect(guard.state().mode).toBe('read-only');
    expect((await executePlan(plan([step('b')]), { guard, audit })).result).toBe('refused');
    expect(ran).toEqual(['a']);

    const entries = await lines();
    expect(entries.map((e) => e.event)).toEqual(['armed', 'confirmed', 'succeeded', 'disarmed', 'refused']);
    expect(entries[0]).toMatchObject({ reason: 'INC-42 restart the stuck worker', until: '2025-01-01T03:10:00.000Z' });
    expect(entries[3]).toMatchObject({ reason: 'arming expired' });
  });

  it('lapses by its own timer and tells subscribers (the console shows READ-ONLY again)', async () => {
    const audit = new MemoryAudit();
    const guard = new ActionGuard({ readOnly: true, audit });
    try {
      const lapsed = new Promise<string>((resolve) =>
        guard.subscribe((s) => s.mode === 'read-only' && resolve(s.mode)),
      );
      await guard.arm(0.001, 'a very short window'); // 60 ms
      expect(await lapsed).toBe('read-only');
      expect(audit.entries.map((e) => `${e.event}:${e.reason}`)).toEqual([
        'armed:a very short window',
        'disarmed:arming expired',
      ]);
    } finally {
      guard.dispose();
    }
  });

  it('refuses to arm a console that is not read-only', async () => {
    const guard = new ActionGuard({ readOnly: false, audit: new MemoryAudit(), timer: false });
    await expect(guard.arm(5, 'why not')).rejects.toThrow(/already enabled/);
  });
});

describe('audit file', () => {
  it('is created 0600 in a 0700 directory, one JSON object per line', async () => {
    const audit = new AuditLog({ path: auditPath });
    await Promise.all([1, 2, 3].map((i) => audit.record({ event: 'succeeded', action: 'x', target: `t${i}` })));
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(auditPath)).mode & 0o777).toBe(0o700);
    const raw = readFileSync(auditPath, 'utf8').trim().split('\n');
    expect(raw).toHaveLength(3);
    expect(raw.map((l) => (JSON.parse(l) as AuditEntry).target)).toEqual(['t1', 't2', 't3']);
  });

  it('never contains a secret, wherever it appears', async () => {
    const audit = new AuditLog({
      path: auditPath,
      secrets: ['hunter2-known'],
      env: { SSH_CONNECTION: '203.0.113.7 52144 10.0.0.1 22' },
    });
    const secretStep = step('dump', async () => {
      throw new Error(
        'pg_dump: connection to postgres://backup:s3cr3t-url@db:5432/itsm failed; PGPASSWORD=s3cr3t-env was set',
      );
    });
    secretStep.describe = () => ({
      kind: 'argv',
      text: 'env PGPASSWORD=s3cr3t-env redis-cli -a s3cr3t-cli --pass=s3cr3t-flag ping; password: hunter2-known',
    });
    await executePlan(plan([secretStep]), { guard: new ActionGuard({ readOnly: false, audit, timer: false }), audit });
    const raw = readFileSync(auditPath, 'utf8');
    for (const s of ['s3cr3t-url', 's3cr3t-env', 's3cr3t-cli', 's3cr3t-flag', 'hunter2-known'])
      expect(raw).not.toContain(s);
    expect(raw).toContain('postgres://backup:***@db:5432/itsm');
    expect(raw).toContain('PGPASSWORD=***');
    const [first] = await lines();
    expect(first!.operator.origin).toBe('203.0.113.7:52144');
  });

  it('reads back the latest entries, oldest first, skipping a torn line', async () => {
    const audit = new AuditLog({ path: auditPath });
    for (let i = 0; i < 30; i++) await audit.record({ event: 'succeeded', action: 'x', target: `t${i}` });
    const { appendFileSync } = await import('node:fs');
    appendFileSync(auditPath, '{"torn": \n');
    await audit.record({ event: 'failed', action: 'x', target: 'last' });
    const latest = await readAudit(auditPath, 3);
    expect(latest.map((e) => e.target)).toEqual(['t28', 't29', 'last']);
    expect(await readAudit(path.join(dir, 'nope.jsonl'))).toEqual([]);
  });
});

describe('formatPlan', () => {
  it('shows every step with its exact command, the danger, and the blast radius', () => {
    const text = formatPlan(plan([step('a', undefined, { cancellable: true }), step('b')]), [
      'running for 3h',
      '2 dependents',
    ]);
    expect(text).toEqual([
      'test.run thing — 2 steps, needs a yes',
      '  1. step a',
      '     argv: do a',
      '  2. step b (runs to the end once started)',
      '     argv: do b',
      'Affected:',
      '  - running for 3h',
      '  - 2 dependents',
    ]);
  });
});
