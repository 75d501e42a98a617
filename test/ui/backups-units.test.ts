// The pure parts of the Backups view and the restore walkthrough, without rendering: wrapping,
// the keyboard mode of a panel, the comparison table, what the walkthrough shows at each moment,
// and the one plan that backs up several sources.
import { describe, expect, it } from 'vitest';
import type { Plan, StepContext, StepProgress, StepState } from '../../src/plan/plan.js';
import type { BackupPlan } from '../../src/backup/plans.js';
import type { Comparison, RestoreSnapshot } from '../../src/restore/types.js';
import { backupNowPlan } from '../../src/app/console/backup-plans.js';
import type { BackupProgress } from '../../src/backup/types.js';
import { flowMode, type FlowDetail, type FlowState } from '../../src/app/console/flow-state.js';
import { drillTiming } from '../../src/ui/task/job-content.js';
import { wrapText } from '../../src/ui/task/panel-lines.js';
import { comparisonLines } from '../../src/ui/task/comparison-lines.js';
import { walkthroughContent } from '../../src/ui/task/walkthrough-content.js';
import { entryLines, recoveryPointLine, verifiedCell, walWords } from '../../src/ui/backups/catalog-columns.js';
import type { CatalogEntry } from '../../src/backup/catalog.js';
import { corruptProblem } from '../../src/backup/existing-facts.js';
import type { CatalogData } from '../../src/app/console/backups-store.js';

const text = (lines: { text: string }[]): string => lines.map((l) => l.text).join('\n');

function step(id: string, title: string, status: StepState['status'], command: string): StepState {
  return { id, title, status, description: { kind: 'sql', text: command }, output: [] };
}

type RestoreDetail = Extract<FlowDetail, { kind: 'restore' }>;

function restoreDetail(snap: RestoreSnapshot | null, over: Partial<RestoreDetail> = {}): RestoreDetail {
  return {
    kind: 'restore',
    file: '/b/postgres/itsm/full_backup_20250105_030000.sql.gz',
    database: 'itsm',
    stage: 'walk',
    checks: [],
    snap,
    startedAt: 0,
    ...over,
  };
}

/** The flow of a restore walkthrough, asking what its snapshot asks. */
function restoreFlow(
  snap: RestoreSnapshot | null,
  over: Partial<RestoreDetail> = {},
  flow: Partial<FlowState> = {},
): FlowState {
  const q = snap?.phase === 'confirming' ? (snap.pending ?? null) : null;
  return {
    id: 1,
    title: 'Restore',
    phase: 'running',
    detail: restoreDetail(snap, over),
    question: q,
    typed: '',
    refusal: null,
    error: null,
    note: null,
    cancelling: false,
    hidden: false,
    background: 'stay',
    scroll: 0,
    ...flow,
  };
}

function snapshot(over: Partial<RestoreSnapshot>): RestoreSnapshot {
  return {
    backup: '/b/full_backup_20250105_030000.sql.gz',
    database: 'itsm',
    phase: 'running',
    checks: [],
    steps: [
      step('safety-dump', 'safety dump', 'done', 'pg_dump'),
      step('recreate', 'drop and recreate the database', 'pending', 'DROP DATABASE "itsm"'),
    ],
    db: { kind: 'untouched', text: 'UNTOUCHED: itsm was not dropped; its data is exactly as before.' },
    summary: [],
    startedAt: 0,
    ...over,
  };
}

describe('wrapText', () => {
  it('wraps at spaces, indents the following lines, and cuts words longer than a line', () => {
    expect(wrapText('the quick brown fox jumps', 12, '  ')).toEqual(['the quick', '  brown fox', '  jumps']);
    expect(wrapText('/a/very/long/path/without/spaces', 12)).toEqual(['/a/very/long', '/path/withou', 't/spaces']);
    expect(wrapText('', 10)).toEqual(['']);
  });
});

describe('the keyboard mode of a panel', () => {
  it('is a typed confirmation at the drop, a question at a yes, the task panel otherwise, none when hidden', () => {
    const drop = snapshot({
      phase: 'confirming',
      pending: { stage: 'drop', kind: 'type', question: 'Type "itsm"', expect: 'itsm' },
    });
    const start = snapshot({ phase: 'confirming', pending: { stage: 'start', kind: 'yes', question: 'Go? [y/N]' } });
    expect(flowMode(restoreFlow(drop))).toBe('typing');
    expect(flowMode(restoreFlow(start))).toBe('question');
    expect(flowMode(restoreFlow(snapshot({})))).toBe('task');
    expect(flowMode(restoreFlow(null, { stage: 'refused' }, { phase: 'summary' }))).toBe('task');
    expect(flowMode(restoreFlow(snapshot({}), {}, { hidden: true }))).toBeNull();
    expect(flowMode(null)).toBeNull();
  });
});

describe('the comparison table', () => {
  it('puts mismatches first, with expected, actual and why', () => {
    const cmp: Comparison = {
      ok: false,
      message: 'public.users: expected 24 rows, found 25',
      rows: [
        { name: 'public.incidents', kind: 'table', expected: '3000', actual: '3000', ok: true },
        { name: 'public.users', kind: 'table', expected: '24', actual: '25', ok: false, note: '+1 rows' },
        { name: 'public.gone', kind: 'table', expected: '7', actual: null, ok: false, note: 'table missing' },
      ],
    };
    const lines = comparisonLines(cmp, 80);
    expect(lines[0]).toMatchObject({
      text: 'Verification: FAILED — public.users: expected 24 rows, found 25',
      tone: 'bad',
    });
    expect(lines[1]!.text).toMatch(/^ {2}table\s+expected\s+actual ok$/);
    expect(lines.slice(2).map((l) => l.text.replace(/\s+/g, ' ').trim())).toEqual([
      'public.users 24 25 ✗ +1 rows',
      'public.gone 7 — ✗ table missing',
      'public.incidents 3000 3000 ✓',
    ]);
  });
});

describe('what the walkthrough shows', () => {
  it('stops at a failed preflight with every check and says the database is untouched', () => {
    const f = restoreFlow(null, {
      stage: 'refused',
      checks: [{ id: 'backup', title: 'backup file', status: 'fail', detail: 'gzip: unexpected end of file' }],
    });
    const c = walkthroughContent(f, f.detail as RestoreDetail, 80, 0);
    expect(c.title).toMatch(/^Stopped at preflight: restore itsm from full_backup_/);
    expect(text(c.body)).toContain('FAIL  backup file: gzip: unexpected end of file');
    expect(text(c.foot)).toContain('UNTOUCHED: nothing was changed; itsm is exactly as it was.');
  });

  it('asks for the name before the drop, with the command that is next and what was typed', () => {
    const snap = snapshot({
      phase: 'confirming',
      pending: { stage: 'drop', kind: 'type', question: 'Type the name "itsm" to drop it:', expect: 'itsm' },
    });
    const f = restoreFlow(snap, {}, { typed: 'its' });
    const c = walkthroughContent(f, f.detail as RestoreDetail, 80, 0);
    expect(c.title).toMatch(/^Confirm the drop:/);
    expect(text(c.head)).toMatch(/✓ \[1\/2\] safety dump: done\n· \[2\/2\] drop and recreate the database: pending/);
    expect(text(c.body)).toMatch(/next: drop and recreate the database\n {2}sql: DROP DATABASE "itsm"/);
    expect(text(c.foot)).toContain('> its▏');
    expect(text(c.foot)).toContain('Esc aborts: nothing is dropped');
  });

  it('ends with the headline and the sentence about the database, whatever happened', () => {
    const snap = snapshot({
      phase: 'done',
      result: 'declined',
      summary: [
        'Declined at the drop: itsm was not dropped.',
        'UNTOUCHED: itsm was not dropped; its data is exactly as before.',
      ],
      durationMs: 4200,
    });
    const f = restoreFlow(snap);
    const c = walkthroughContent(f, f.detail as RestoreDetail, 80, 0);
    expect(c.title).toMatch(/^DECLINED in 4\.2 s:/);
    expect(text(c.head)).toBe('Declined at the drop: itsm was not dropped.');
    expect(text(c.foot)).toContain('UNTOUCHED: itsm was not dropped; its data is exactly as before.');
  });
});

describe('take a backup now', () => {
  function fakeBackup(target: string, seen: string[]): BackupPlan {
    const plan: Plan = {
      action: 'backup.postgres',
      target,
      danger: 'safe',
      steps: [
        {
          id: 'dump',
          title: 'dump the database',
          describe: () => ({ kind: 'argv', text: `pg_dump ${target}` }),
          run: async (ctx) => ctx.progress({ done: 10, unit: 'bytes', label: 'raw' }),
        },
      ],
      epilogue: async () => [`Backup: ${target}.sql.gz`],
    };
    seen.push(target);
    return { plan, job: {} as BackupPlan['job'], record: () => undefined };
  }

  it('is one plan over every source, asking a yes, with bytes written, rate and elapsed as progress', async () => {
    const seen: string[] = [];
    let report: ((key: string, p: BackupProgress) => void) | undefined;
    const plan = await backupNowPlan({
      backupPlans: async (onProgress) => {
        report = onProgress;
        return [fakeBackup('itsm', seen), fakeBackup('files:config', seen)];
      },
    });
    expect(plan).toMatchObject({ action: 'backup.all', target: 'itsm, files:config', danger: 'confirm' });
    expect(plan.steps.map((s) => `${s.id} ${s.title}`)).toEqual([
      'itsm:dump itsm: dump the database',
      'files:config:dump files:config: dump the database',
    ]);
    report!('itsm', { phase: 'dump', bytesIn: 5e6, bytesWritten: 1.2e6, elapsedMs: 65_000, rate: 2e6 });
    const got: StepProgress[] = [];
    const ctx: StepContext = {
      signal: new AbortController().signal,
      output: () => undefined,
      progress: (p) => got.push(p),
    };
    await plan.steps[0]!.run(ctx);
    expect(got[0]!.label).toBe('dump: 1.2 MB written · 2 MB/s · 1m05s');
    const epilogue = await plan.epilogue!(
      {
        action: '',
        target: '',
        steps: [],
        startedAt: 0,
        warnings: [],
        result: 'succeeded',
        summary: [],
        durationMs: 1,
      },
      new AbortController().signal,
    );
    expect(epilogue).toEqual(['itsm: Backup: itsm.sql.gz', 'files:config: Backup: files:config.sql.gz']);
  });
});

describe('drill timing line', () => {
  it('names each timed part and closes its bracket whichever parts were timed', () => {
    expect(drillTiming({ durationMs: 12_300, loadMs: 9_100, verifyMs: 2_000 })).toBe(
      'took 12.3 s (load 9.1 s, verify 2.0 s)',
    );
    expect(drillTiming({ durationMs: 12_300, verifyMs: 2_000 })).toBe('took 12.3 s (verify 2.0 s)');
    expect(drillTiming({ durationMs: 12_300, loadMs: 9_100 })).toBe('took 12.3 s (load 9.1 s)');
    expect(drillTiming({ durationMs: 12_300 })).toBe('took 12.3 s');
  });
});

describe('recovery point line', () => {
  const entry = (sourceKey: string, verified: boolean, time: number) =>
    ({ source: { type: 'postgres', name: sourceKey }, sourceKey, verified, time }) as CatalogData['entries'][number];
  const catalog = (entries: CatalogData['entries']) => ({ entries }) as CatalogData;
  const wal = {
    archiving: true,
    mode: 'on',
    archived: 5,
    lastArchivedWal: '000000010000000000000005',
    lastArchivedAt: 0,
    failed: 0,
    lastFailedWal: null,
    lastFailedAt: null,
    failing: false,
    ageSeconds: 120,
  };
  const now = 10 * 3_600_000;

  it('names each database with its newest verified backup and the server WAL archiving', () => {
    const c = catalog([entry('itsm_db', true, now - 5 * 3_600_000), entry('kb', false, now - 3_600_000)]);
    expect(recoveryPointLine(c, walWords(wal), now)).toBe(
      'Recovery point: itsm_db backup 5h ago, kb no verified backup · WAL archived 2m ago',
    );
    expect(walWords({ ...wal, failing: true, failed: 3, lastFailedWal: '000000010000000000000006' })).toBe(
      'WAL archiving FAILING since 000000010000000000000006 (3 failed)',
    );
    expect(walWords({ ...wal, archiving: false })).toBe(
      'no WAL archiving: a failure loses everything since the backup',
    );
    expect(walWords(null)).toBe('WAL archiving unknown (PostgreSQL not read)');
    expect(recoveryPointLine(catalog([]), walWords(wal), now)).toBe('');
  });
});

describe('an existing backup in the Backups view', () => {
  const base: CatalogEntry = {
    origin: 'existing',
    existing: { dir: '/var/backups/itsm', name: 'itsm', layout: 'itsm', timeFrom: 'name' },
    path: '/var/backups/itsm/full_backup_20260105_020000.sql.gz',
    file: 'full_backup_20260105_020000.sql.gz',
    source: { type: 'postgres', name: 'itsm' },
    sourceKey: 'itsm',
    kind: 'full',
    format: 'plain',
    time: Date.parse('2026-01-05T02:00:00Z'),
    size: 1000,
    verified: false,
  };
  const failed = { ok: false, at: '2026-01-05T03:00:00.000Z', checks: [], message: 'gzip: does not decompress' };

  it('verified by opsdeck: ✓ yes and the sha256 it computed', () => {
    const ok = { ...failed, ok: true, message: 'verified' };
    const e = { ...base, verified: true, lastVerify: ok, existing: { ...base.existing!, sha256: 'ab'.repeat(32) } };
    expect(verifiedCell(e)).toBe('✓ yes');
    expect(entryLines(e, { drills: {} }, Date.now(), true).join('\n')).toContain(
      `sha256 ${'ab'.repeat(32)} (computed by opsdeck: no checksum was recorded at backup time)`,
    );
  });

  it('its verification failed: ✗ CORRUPT and why', () => {
    const e = { ...base, lastVerify: failed, problem: corruptProblem(failed) };
    expect(verifiedCell(e)).toBe('✗ CORRUPT');
    expect(entryLines(e, { drills: {} }, Date.now(), false)[1]).toBe(
      'NOT verified: CORRUPT or truncated (verified 2026-01-05 03:00): gzip: does not decompress',
    );
    expect(verifiedCell(base)).toBe('✗ NO');
  });
});
