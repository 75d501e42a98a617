// The stores a configuration gets: the console's live store (sustain windows, the configured
// history) and the one-shot store of `opsdeck status` (no history, so each value is judged on
// its limits alone). Both from here, so the CLI and the console judge with the same rules.
import type { OpsdeckConfig } from '../config/resolve.js';
import { createOpsStore, type OpsStore } from '../state/store.js';

/** The live store of a console (or the headless polling loop of a benchmark). */
export function createLiveStore(
  config: Pick<OpsdeckConfig, 'rules' | 'historyLength' | 'origins' | 'readOnly'>,
  opts: { readOnly?: boolean } = {},
): OpsStore {
  return createOpsStore({
    rules: config.rules,
    historyLength: config.historyLength,
    origins: config.origins,
    readOnly: opts.readOnly ?? config.readOnly,
  });
}

/** The store of a one-shot status: the same rules with their sustain windows set to zero. */
export function createOneShotStore(config: Pick<OpsdeckConfig, 'rules' | 'origins'>): OpsStore {
  const rules = Object.fromEntries(Object.entries(config.rules).map(([k, r]) => [k, { ...r, sustain: 0 }]));
  return createOpsStore({ rules, historyLength: 10, origins: config.origins });
}
