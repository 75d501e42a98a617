// The Backups controller reaches the view through context (the console builds one per session,
// tests build their own); components select single values from its store.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { BackupsState } from '../../app/console/backups-store.js';
import type { BackupsController } from '../../app/console/backups-controller.js';

const BackupsContext = createContext<BackupsController | null>(null);

/** Makes `controller` available to the Backups view. */
export function BackupsProvider({ controller, children }: { controller: BackupsController | null; children: ReactNode }) {
  return <BackupsContext.Provider value={controller}>{children}</BackupsContext.Provider>;
}

/** The controller, or null in a console started without one (the view then says so). */
export function useBackupsController(): BackupsController | null {
  return useContext(BackupsContext);
}

const EMPTY = { getState: () => null, getInitialState: () => null, subscribe: () => () => {}, setState: () => {} };

/** Selects one value of the Backups store; the selector must return a stored value or a primitive. */
export function useBackups<T>(selector: (s: BackupsState) => T): T | null {
  const ctl = useBackupsController();
  // Without a controller every selection reads null (the hook order stays the same either way).
  return useStore((ctl?.store ?? EMPTY) as never, ctl ? selector : () => null) as T | null;
}
