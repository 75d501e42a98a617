// What one console session is made of, built from the configuration by the composition root: the
// live store, the action layer's controller (one guard, one audit trail, one task flow), the
// Backups controller on the same flow, and the polling loop. The probe clients (pg, ioredis, the
// Docker client) and the scheduler load only when polling starts, after the first frame.
import type { OpsdeckConfig } from '../../config/resolve.js';
import type { Scheduler } from '../../state/scheduler.js';
import type { OpsStore } from '../../state/store.js';
import { backupsDepsFromConfig } from '../backups-deps.js';
import { createConsoleActions } from '../console-actions.js';
import type { ExistingVerifier } from '../existing-verifier.js';
import { createLiveStore } from '../stores.js';
import { ActionController } from './action-controller.js';
import { BackupsController } from './backups-controller.js';
import { startOffsiteLoop, type OffsiteLoop } from '../offsite-loop.js';

export interface ConsoleSession {
  store: OpsStore;
  actions: ActionController;
  backups: BackupsController;
  /** Loads the probes and starts polling them into the store; false when the session stopped first. */
  startPolling(onError: (err: unknown) => void): Promise<boolean>;
  /** Stops polling, waiting for the probes to close at most `timeoutMs`. */
  stopPolling(timeoutMs: number): Promise<void>;
}

/** The parts of a console for `config`. */
export function createConsoleSession(config: OpsdeckConfig): ConsoleSession {
  const store = createLiveStore(config);
  let scheduler: Scheduler | null = null;
  let verifier: ExistingVerifier | null = null;
  let offsite: OffsiteLoop | null = null;
  let stopped = false;
  // One guard and one audit trail for every action of this console (plans, arming, backups).
  const actions = new ActionController(createConsoleActions(config, { refreshNow: () => scheduler?.refreshNow() }));
  // Drills and restores go through the same guard (arming applies), audit trail and task flow.
  const backups = new BackupsController(
    backupsDepsFromConfig(config, {
      guard: actions.actions.guard,
      audit: actions.actions.audit,
      serviceDeps: () => actions.actions.serviceDeps(),
    }),
    actions.flow,
  );
  return {
    store,
    actions,
    backups,
    startPolling: async (onError) => {
      const [{ createProbes }, { startScheduler }] = await Promise.all([
        import('../probes.js'),
        import('../../state/scheduler.js'),
      ]);
      // The session ended before the probes were even loaded: do not start them.
      if (stopped) return false;
      scheduler = startScheduler(createProbes(config), store, { timeout: config.probeTimeout, onError });
      // Another tool's backups are verified in the background, at the lowest priority (existing-verifier.ts).
      if (config.backups.existing.length > 0) {
        verifier = (await import('../existing-verifier.js')).startExistingVerifierFor(config, () => {
          scheduler?.refreshNow();
          void backups.refresh();
        });
      }
      // Off-host copies (backups.offsite) in the background; the Backups view re-reads as their states change.
      offsite = startOffsiteLoop(config, { onUpdate: () => void backups.refresh(), onError });
      return true;
    },
    stopPolling: async (timeoutMs) => {
      stopped = true;
      if (!scheduler) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([scheduler.stop().catch(() => {}), verifier?.stop(), offsite?.stop()]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
