// The vanilla store reaches the views through context; each view selects the single values it
// shows (or uses useShallow), so an update re-renders only the views whose slice changed.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { OpsState, OpsStore } from '../state/store.js';

const StoreContext = createContext<OpsStore | null>(null);

/** Makes `store` available to useOps(). */
export function StoreProvider({ store, children }: { store: OpsStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** The store itself (for effects that read it once). */
export function useOpsStore(): OpsStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useOps() outside <StoreProvider>');
  return store;
}

/** Selects one slice of the store; the selector must return a stored value or a primitive, never a fresh object. */
export function useOps<T>(selector: (s: OpsState) => T): T {
  return useStore(useOpsStore(), selector);
}
