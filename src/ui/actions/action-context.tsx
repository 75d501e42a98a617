// The action controller reaches the App and the views through context; components select single
// values of its store. Without a controller (a console built without actions) the hooks read an
// empty store, so every view renders the same way and simply offers no actions.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createActionStore, type ActionState } from '../../state/action-state.js';
import type { ActionController } from '../../app/console/action-controller.js';

const ActionContext = createContext<ActionController | null>(null);
const EMPTY = createActionStore({ readOnly: false });

/** Makes `controller` available to useActions() and useActionState(). */
export function ActionProvider({ controller, children }: { controller: ActionController | null; children: ReactNode }) {
  return <ActionContext.Provider value={controller}>{children}</ActionContext.Provider>;
}

/** The controller, or null when the console has no actions. */
export function useActions(): ActionController | null {
  return useContext(ActionContext);
}

/** Selects one value of the action store; the selector must return a stored value or a primitive. */
export function useActionState<T>(selector: (s: ActionState) => T): T {
  const controller = useContext(ActionContext);
  return useStore(controller?.store ?? EMPTY, selector);
}
