// The stores a configuration gets: the console's live store (sustain windows, the configured
// history) and the one-shot store of `opsdeck status` (no history, so each value is judged on
// its limits alone). Both from here, so the CLI and the console judge with the same rules.
import type { OpsdeckConfig, TargetOrigin } from '../config/resolve.js';
import { createOpsStore, type OpsStore } from '../state/store.js';

type Watched = Partial<Pick<OpsdeckConfig, 'http' | 'certificates'>>;

/** The configured targets plus the endpoint and certificate targets, so their panel shows before the first read. */
function originsOf(config: Pick<OpsdeckConfig, 'origins'> & Watched): Partial<Record<string, TargetOrigin>> {
  return {
    ...config.origins,
    ...(config.http?.length ? { http: 'configured' as const } : {}),
    ...(config.certificates?.length ? { certificates: 'configured' as const } : {}),
  };
}

/** The live store of a console (or the headless polling loop of a benchmark). */
export function createLiveStore(
  config: Pick<OpsdeckConfig, 'rules' | 'historyLength' | 'origins' | 'readOnly'> & Watched,
  opts: { readOnly?: boolean } = {},
): OpsStore {
  return createOpsStore({
    rules: config.rules,
    historyLength: config.historyLength,
    origins: originsOf(config),
    readOnly: opts.readOnly ?? config.readOnly,
  });
}

/** The store of a one-shot status: the same rules with their sustain windows set to zero. */
export function createOneShotStore(config: Pick<OpsdeckConfig, 'rules' | 'origins'> & Watched): OpsStore {
  const rules = Object.fromEntries(Object.entries(config.rules).map(([k, r]) => [k, { ...r, sustain: 0 }]));
  return createOpsStore({ rules, historyLength: 10, origins: originsOf(config) });
}
