// Views that act (stop a container, pause a log) take their keymap commands through this small
// registry: the App offers a command to the active view's handler before its own navigation
// reducer, and a view that reports a modal mode (a task panel, a question) gets that mode's
// commands and typed text. A command run from the palette for another view waits until that
// view has mounted. Bindings still come from the one keymap table.
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { CommandId, ViewId } from './keymap.js';

/** A handler's answer: not mine (false), done (true), or done and show another view. */
export type Handled = boolean | { goTo: ViewId };

/** A view's command (and typed text) handler. */
export interface ViewHandler {
  /** Runs `id` with the selected row as of this key press; false when the view does not take it (the App's reducer then does). */
  command(id: CommandId, selected: number): Handled;
  /** Typed text while the view reports a text-entry mode. */
  text?(text: string): void;
}

/** The App's registry of view handlers. */
export interface ViewCommandBus {
  register(view: ViewId, handler: ViewHandler): () => void;
  run(view: ViewId, id: CommandId, selected?: number): boolean;
  text(view: ViewId, text: string): void;
  /** Runs `id` in `view` now if it is mounted, or as soon as it mounts. */
  defer(view: ViewId, id: CommandId, selected?: number): void;
  /** How a handler's `goTo` is carried out (set by the App). */
  navigate: (view: ViewId) => void;
}

/** A fresh registry (one per App). */
export function createViewCommandBus(): ViewCommandBus {
  const handlers = new Map<ViewId, ViewHandler>();
  let pending: { view: ViewId; id: CommandId; selected: number } | null = null;
  const bus: ViewCommandBus = {
    navigate: () => undefined,
    register: (view, handler) => {
      handlers.set(view, handler);
      if (pending?.view === view) {
        const { id, selected } = pending;
        pending = null;
        bus.run(view, id, selected);
      }
      return () => {
        if (handlers.get(view) === handler) handlers.delete(view);
      };
    },
    run: (view, id, selected = 0) => {
      const r = handlers.get(view)?.command(id, selected) ?? false;
      if (typeof r === 'object') bus.navigate(r.goTo);
      return r !== false;
    },
    text: (view, text) => handlers.get(view)?.text?.(text),
    defer: (view, id, selected = 0) => {
      if (handlers.has(view)) bus.run(view, id, selected);
      else pending = { view, id, selected };
    },
  };
  return bus;
}

const BusContext = createContext<ViewCommandBus | null>(null);

/** Provides the App's registry to the views. */
export function ViewCommandProvider({ bus, children }: { bus: ViewCommandBus; children: ReactNode }) {
  return <BusContext.Provider value={bus}>{children}</BusContext.Provider>;
}

/** Registers `view`'s command handler while the view is mounted; the latest closures are always used. */
export function useViewCommands(view: ViewId, command: (id: CommandId, selected: number) => Handled, text?: (text: string) => void): void {
  const bus = useContext(BusContext);
  const ref = useRef({ command, text });
  ref.current = { command, text };
  useEffect(() => {
    if (!bus) return undefined;
    return bus.register(view, { command: (id, selected) => ref.current.command(id, selected), text: (t) => ref.current.text?.(t) });
  }, [bus, view]);
}
