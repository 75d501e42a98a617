// Backups as action plans: audited, refused in read-only mode, and clean after a cancel that
// lands between two steps (the epilogue removes the temp file).
import { describe, expect, it } from 'vitest';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { executePlan } from '../../src/plan/execute.js';
import { ActionGuard } from '../../src/plan/guard.js';
import { formatPlan } from '../../src/plan/plan.js';
import { pgBackupPlan } from '../../src/backup/plans.js';
import { unavailable } from '../helpers/services.js';
import { filesUnder, SEED, seededDatabase, targetFor } from './helpers.js';

describe.skipIf(unavailable('postgres'))('backup plans', () => {
  const fx = seededDatabase('bk_plan', SEED, 'plan');
  const plan = () => pgBackupPlan({ root: fx.root, target: targetFor(fx.db), kind: 'full', format: 'plain' });

  it('describes every step, runs them, reports progress and audits the outcome', async () => {
    const bp = plan();
    const text = formatPlan(bp.plan).join('\n');
    expect(text).toMatch(/check free space/);
    expect(text).toMatch(
      /pg_dump --no-password --format=plain '--snapshot=<exported>' \| gzip \(in-process\) > .*\.partial/,
    );
    const audit = new MemoryAudit();
    const progress: number[] = [];
    const out = await executePlan(bp.plan, {
      guard: new ActionGuard({ readOnly: false, audit, timer: false }),
      audit,
      onUpdate: (run) => {
        const p = run.steps.find((s) => s.id === 'dump')?.progress;
        if (p) progress.push(p.done);
      },
    });
    expect(out.result).toBe('succeeded');
    expect(out.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(bp.record()?.path).toBe(out.steps.at(-1)!.note);
    expect(out.summary.at(-1)).toMatch(/^Backup: .*full_backup_.*verified\)$/);
    expect(audit.entries.map((e) => e.event)).toEqual(['confirmed', 'succeeded']);
    expect(audit.entries[0]!.steps!.join('\n')).toContain('pg_dump');
  });

  it('a cancel between the dump and the verification removes the temp file', async () => {
    const bp = plan();
    const ac = new AbortController();
    const audit = new MemoryAudit();
    const out = await executePlan(bp.plan, {
      guard: new ActionGuard({ readOnly: false, audit, timer: false }),
      audit,
      signal: ac.signal,
      onUpdate: (run) => {
        if (run.steps.find((s) => s.id === 'dump')?.status === 'done') ac.abort();
      },
    });
    expect(out.result).toBe('cancelled');
    expect(out.summary).toContain('No backup was published; the temp file was removed.');
    expect(bp.record()).toBeUndefined();
    expect(filesUnder(fx.root).filter((f) => !f.includes('full_backup_') || f.endsWith('.partial'))).toEqual([]);
    expect(filesUnder(fx.root)).toHaveLength(2); // only the first test's backup and its sidecar
    expect(audit.entries.at(-1)).toMatchObject({ event: 'cancelled' });
  });

  it('is refused in read-only mode, and nothing is written', async () => {
    const before = filesUnder(fx.root);
    const audit = new MemoryAudit();
    const out = await executePlan(plan().plan, {
      guard: new ActionGuard({ readOnly: true, audit, timer: false }),
      audit,
    });
    expect(out.result).toBe('refused');
    expect(filesUnder(fx.root)).toEqual(before);
    expect(audit.entries.map((e) => e.event)).toEqual(['refused']);
  });
});
