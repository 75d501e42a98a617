// "Take a backup now" and "prune" as ordinary plans for the console's shared plan dialog: the
// dialog shows every step's exact command, asks a yes, runs with per-step progress and audits it.
// A backup of several sources is one plan whose steps are each source's stages in turn; its
// progress line says bytes written, rate and elapsed time. The prune plan's blast radius is the
// dry-run list: every backup kept or deleted, with the reason.
import type { Plan, Step, StepProgress } from '../../plan/plan.js';
import { scanCatalog } from '../../backup/catalog.js';
import { safetyRootFor } from '../../backup/naming.js';
import { prunePlan } from '../../backup/plans.js';
import { formatPruneReport, pruneReport } from '../../backup/prune.js';
import { describePolicy } from '../../backup/retention.js';
import type { BackupProgress } from '../../backup/types.js';
import { bytes, elapsed, rate } from '../../present/format.js';
import type { BackupsDeps } from '../backups-deps.js';

/** "dump: 310 MB written · 95 MB/s · 12 s" — a running backup's progress label. */
export function progressLabel(p: BackupProgress): string {
  return `${p.phase}: ${bytes(p.bytesWritten)} written · ${rate(p.rate)} · ${elapsed(p.elapsedMs, false)}`;
}

/** One plan backing up every configured source (rejects with SelectionError when nothing is configured). */
export async function backupNowPlan(deps: Pick<BackupsDeps, 'backupPlans'>): Promise<Plan> {
  const latest = new Map<string, BackupProgress>();
  const plans = await deps.backupPlans((key, p) => latest.set(key, p));
  const many = plans.length > 1;
  const steps: Step[] = plans.flatMap((bp) =>
    bp.plan.steps.map((st) => ({
      ...st,
      id: many ? `${bp.plan.target}:${st.id}` : st.id,
      title: many ? `${bp.plan.target}: ${st.title}` : st.title,
      run: (ctx) =>
        st.run({
          ...ctx,
          progress: (p: StepProgress) => {
            const b = latest.get(bp.plan.target);
            ctx.progress(b ? { ...p, label: progressLabel(b) } : p);
          },
        }),
    })),
  );
  const targets = plans.map((bp) => bp.plan.target);
  return {
    action: many ? 'backup.all' : plans[0]!.plan.action,
    target: targets.join(', '),
    // A backup changes nothing an application uses, but it loads the server and fills a disk: ask.
    danger: 'confirm',
    changesState: true,
    steps,
    // Every source's own epilogue: the published file, or "no backup was published; temp removed".
    async epilogue(outcome, signal) {
      const lines: string[] = [];
      for (const bp of plans)
        lines.push(
          ...((await bp.plan.epilogue?.(outcome, signal)) ?? []).map((l) => (many ? `${bp.plan.target}: ${l}` : l)),
        );
      return lines;
    },
  };
}

/** The prune plan of the backup root now; its blast radius is the dry-run list with every reason. */
export async function pruneNowPlan(deps: Pick<BackupsDeps, 'dir' | 'retention'>): Promise<Plan> {
  const catalog = await scanCatalog(deps.dir);
  const safety = await scanCatalog(safetyRootFor(deps.dir));
  const now = Date.now();
  const report = pruneReport(catalog, deps.retention, now, safety);
  const plan = prunePlan(catalog, report);
  const list = [`retention ${describePolicy(deps.retention)}`, ...formatPruneReport(report, now)];
  if (plan.steps.length === 0) {
    // Nothing to delete: nothing to ask either; the run records it and the summary shows the list.
    return { ...plan, danger: 'safe', epilogue: async () => list };
  }
  return { ...plan, blastRadius: async () => list };
}
