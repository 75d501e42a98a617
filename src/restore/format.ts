// Pure text for the restore: preflight checks, step lines and the drill line, shared by the CLI
// and usable by the console (every status has a word, so it reads without colour).
import type { StepState } from '../plan/plan.js';
import type { DrillSnapshot } from './drill.js';
import type { Check } from './types.js';
import { bytes, seconds } from '../present/format.js';

const WORD: Record<Check['status'], string> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check (`ok   title: detail`), its detail lines indented under it. */
export function formatChecks(checks: readonly Pick<Check, 'status' | 'title' | 'detail' | 'lines'>[]): string[] {
  const out: string[] = [];
  for (const c of checks) {
    out.push(`${WORD[c.status]}  ${c.title}: ${c.detail}`);
    for (const l of c.lines ?? []) out.push(`        ${l}`);
  }
  return out;
}

const STEP_WORD: Record<StepState['status'], string> = {
  pending: 'pending',
  running: 'running',
  done: 'done',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
  skipped: 'skipped',
};

/** "[3/9] safety dump of the current database: done (…)" — a step's state in one line. */
export function formatStepLine(index: number, total: number, s: StepState): string {
  const extra = s.status === 'failed' || s.status === 'cancelled' ? s.error : s.note;
  return `[${index + 1}/${total}] ${s.title}: ${STEP_WORD[s.status]}${extra ? ` — ${extra}` : ''}`;
}

/** The progress of a running step in a few words, e.g. "12 MB of 40 MB (30 %)". */
export function formatStepProgress(s: StepState): string {
  const p = s.progress;
  if (!p) return '';
  if (p.unit !== 'bytes') return p.label ?? `${p.done}${p.total !== undefined ? ` of ${p.total}` : ''}`;
  if (p.total) return `${bytes(p.done)} of ${bytes(p.total)} (${Math.floor((p.done / p.total) * 100)} %)`;
  return p.label ?? bytes(p.done);
}

/** "ok   drill itsm_db: full_backup_….sql.gz → itsm_db_drill_… verified in 12.3 s (…)". */
export function formatDrillLine(d: DrillSnapshot): string {
  const r = d.record;
  const secs = r ? seconds(r.durationMs) : '';
  const file = d.backup.split('/').pop() ?? d.backup;
  if (d.result === 'refused') return `FAIL  drill ${file}: ${d.summary[0] ?? 'refused'}`;
  if (r?.ok)
    return `ok    drill ${r.source}: ${file} restored into ${d.scratch} and verified in ${secs} (${r.message})`;
  const after = secs ? ` (after ${secs})` : '';
  return `FAIL  drill ${r?.source ?? file}: ${file} — ${r?.message ?? d.summary[0] ?? 'failed'}${after}`;
}
