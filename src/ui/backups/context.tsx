// The Backups controller reaches the view through context (the console builds one per session,
// tests build their own); components select single values from its store with useStore.
import { createContext, useContext, type ReactNode } from 'react';
import type { BackupsController } from '../../app/console/backups-controller.js';

const BackupsContext = createContext<BackupsController | null>(null);

/** Makes `controller` available to the Backups view. */
export function BackupsProvider({
  controller,
  children,
}: {
  controller: BackupsController | null;
  children: ReactNode;
}) {
  return <BackupsContext.Provider value={controller}>{children}</BackupsContext.Provider>;
}

/** The controller, or null in a console started without one (the view then says so). */
export function useBackupsController(): BackupsController | null {
  return useContext(BackupsContext);
}
