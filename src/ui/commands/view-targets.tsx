// What the views lend the command handlers: the row a command acts on (the selected container,
// service or backup as of the key press) and the Logs view's scroll and picker. A view registers
// its targets while it is mounted; a command run from the palette for another view waits until
// that view has mounted. Which handler a key runs is decided by the keymap and the handler table
// (handlers.ts), never by the views.
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { CatalogEntry } from '../../backup/catalog.js';
import type { ServiceConfig } from '../../config/schema.js';
import type { DockerContainer } from '../../probes/index.js';
import type { ViewId } from '../keymap.js';

/** The Logs view's own state, for the logs and navigation commands while it shows. */
export interface LogsHandle {
  pause(): void;
  filter(): void;
  source(): void;
  /** H: searches the source's history for the filter, or closes the search. */
  history(): void;
  /** Access log: the access panel's next window. */
  window(): void;
  /** j/k (by ±1) and PgUp/PgDn (by ±page): scrolls back (which pauses), or moves in the source picker. */
  move(by: number, page?: boolean): void;
  /** g: the oldest line kept. */
  top(): void;
  /** G: the newest line, following again. */
  bottom(): void;
  /** Enter: follows the source chosen in the picker; false when the picker is not open. */
  choose(): boolean;
  /** Esc: closes the picker; false when it is not open. */
  closePicker(): boolean;
}

/** What one view lends the handlers. */
export interface ViewTargets {
  container?(at: number): DockerContainer | undefined;
  service?(at: number): ServiceConfig | undefined;
  backup?(at: number): CatalogEntry | undefined;
  /** The PostgreSQL session of the selected row of the focused list. */
  pgSession?(at: number): { pid: number; label: string } | undefined;
  logs?: LogsHandle;
}

/** The App's registry of view targets. */
export interface ViewTargetBus {
  register(view: ViewId, targets: ViewTargets): () => void;
  get(view: ViewId): ViewTargets;
  /** Runs `fn` with `view`'s targets now if it is mounted, or as soon as it mounts. */
  defer(view: ViewId, fn: (targets: ViewTargets) => void): void;
  /** How far the open task panel can scroll (written by the panel as it draws). */
  panelScrollMax: number;
}

/** A fresh registry (one per App). */
export function createViewTargetBus(): ViewTargetBus {
  const views = new Map<ViewId, ViewTargets>();
  let pending: { view: ViewId; fn: (t: ViewTargets) => void } | null = null;
  return {
    panelScrollMax: 0,
    register: (view, targets) => {
      views.set(view, targets);
      if (pending?.view === view) {
        const { fn } = pending;
        pending = null;
        fn(targets);
      }
      return () => {
        if (views.get(view) === targets) views.delete(view);
      };
    },
    get: (view) => views.get(view) ?? {},
    defer: (view, fn) => {
      const t = views.get(view);
      if (t) fn(t);
      else pending = { view, fn };
    },
  };
}

const BusContext = createContext<ViewTargetBus | null>(null);

/** Provides the App's registry to the views. */
export function ViewTargetProvider({ bus, children }: { bus: ViewTargetBus; children: ReactNode }) {
  return <BusContext.Provider value={bus}>{children}</BusContext.Provider>;
}

/** The App's registry (the task panel writes how far it can scroll). */
export function useViewTargetBus(): ViewTargetBus | null {
  return useContext(BusContext);
}

/** Lends `view`'s targets to the handlers while the view is mounted; the latest closures are always used. */
export function useViewTargets(view: ViewId, targets: ViewTargets): void {
  const bus = useContext(BusContext);
  const ref = useRef(targets);
  ref.current = targets;
  useEffect(() => {
    if (!bus) return undefined;
    const live: ViewTargets = {
      container: (at) => ref.current.container?.(at),
      service: (at) => ref.current.service?.(at),
      backup: (at) => ref.current.backup?.(at),
      pgSession: (at) => ref.current.pgSession?.(at),
      ...(ref.current.logs ? { logs: proxyLogs(() => ref.current.logs) } : {}),
    };
    return bus.register(view, live);
  }, [bus, view]);
}

function proxyLogs(get: () => LogsHandle | undefined): LogsHandle {
  return {
    pause: () => get()?.pause(),
    filter: () => get()?.filter(),
    source: () => get()?.source(),
    history: () => get()?.history(),
    window: () => get()?.window(),
    move: (by, page) => get()?.move(by, page),
    top: () => get()?.top(),
    bottom: () => get()?.bottom(),
    choose: () => get()?.choose() ?? false,
    closePicker: () => get()?.closePicker() ?? false,
  };
}
