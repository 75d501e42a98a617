// The store as the views see it: the same state, but change notifications batched so that a
// burst of probe results (they arrive within milliseconds of each other, every interval) makes
// one render instead of four. Between notifications getState() keeps returning the snapshot the
// views last rendered, as useSyncExternalStore requires.
import type { StoreApi } from 'zustand/vanilla';

/** Wraps `store` so subscribers hear of changes at most once per `windowMs`. */
export function coalesceStore<T>(store: StoreApi<T>, windowMs: number): StoreApi<T> & { dispose(): void } {
  let snapshot = store.getState();
  let timer: NodeJS.Timeout | null = null;
  const listeners = new Set<(state: T, prev: T) => void>();
  const flush = () => {
    timer = null;
    const prev = snapshot;
    snapshot = store.getState();
    if (snapshot === prev) return;
    for (const l of listeners) l(snapshot, prev);
  };
  const unsubscribe = store.subscribe(() => {
    if (timer === null) timer = setTimeout(flush, windowMs);
  });
  return {
    getState: () => snapshot,
    getInitialState: () => store.getInitialState(),
    setState: store.setState,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      listeners.clear();
    },
  };
}
