// The file-set restore as a plan of the console's one flow: the preflight runs while the panel
// says it is preparing; a failed check stops there (audited as refused, nothing changed) with the
// checks in one line; otherwise the plan is shown with its blast radius (what is replaced, what
// is kept aside, the services, every preflight check) and asks for the target path typed.
import type { Plan } from '../../plan/plan.js';
import { prepareFileRestore, recordFileRefusal } from '../../restore/files/plan.js';
import type { BackupsDeps } from '../backups-deps.js';

/** The plan restoring `file`; rejects with the failed checks in words when the preflight stops it. */
export async function fileRestorePlan(deps: BackupsDeps, file: string): Promise<Plan> {
  if (!deps.files) throw new Error('file-set restore is not set up in this console');
  const serviceDeps = deps.serviceDeps ? await deps.serviceDeps() : undefined;
  const { checks, restore } = await prepareFileRestore({
    backup: file,
    config: deps.files,
    audit: deps.audit,
    ...(serviceDeps ? { serviceDeps } : {}),
  });
  if (restore) return restore.plan;
  await recordFileRefusal(deps.audit, checks, file);
  const failed = checks
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.title}: ${c.detail}${c.lines?.length ? ` (${c.lines.join('; ')})` : ''}`);
  throw new Error(`preflight failed, nothing was changed: ${failed.join('; ')}`);
}
