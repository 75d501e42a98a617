// The Backups view's `b` and `p`: open the console's shared plan dialog with the plan built on
// demand (the backup layer loads then, not with the console).
import type { ActionController } from '../actions/action-controller.js';
import type { BackupsController } from './controller.js';

const NO_ACTIONS = 'this console has no action layer: take backups and prune with `opsdeck backup` and `opsdeck prune`';

/** Opens the shared plan dialog for a backup of every configured source. */
export function proposeBackup(actions: ActionController | null, ctl: BackupsController): void {
  if (!actions) return ctl.say(NO_ACTIONS);
  actions.plans.propose('Take a backup now', async () => (await import('./backup-plans.js')).backupNowPlan(ctl.deps));
}

/** Opens the shared plan dialog for a prune (the dry-run list first, then a yes). */
export function proposePrune(actions: ActionController | null, ctl: BackupsController): void {
  if (!actions) return ctl.say(NO_ACTIONS);
  actions.plans.propose('Prune backups', async () => (await import('./backup-plans.js')).pruneNowPlan(ctl.deps));
}
