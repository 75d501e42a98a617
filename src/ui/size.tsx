// The terminal size as an external store: the real one follows stdout 'resize', tests pass a
// fixed one. Components read it with useSize() and re-render only when it changes.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

export interface SizeSource {
  get(): Size;
  subscribe(listener: () => void): () => void;
}

/** The smallest terminal the console draws in; below it, a one-line message. */
export const MIN_SIZE: Size = { columns: 60, rows: 15 };

/** A size that never changes (tests, or a terminal that reports none). */
export function fixedSize(columns: number, rows: number): SizeSource {
  const size = { columns, rows };
  return { get: () => size, subscribe: () => () => {} };
}

/** Follows `out`'s size; `onResize` runs before listeners (the console clears the screen there). */
export function streamSize(out: NodeJS.WriteStream, onResize?: () => void): SizeSource & { dispose(): void } {
  const read = (): Size => ({ columns: out.columns || 80, rows: out.rows || 24 });
  let size = read();
  const listeners = new Set<() => void>();
  const handle = () => {
    const next = read();
    if (next.columns === size.columns && next.rows === size.rows) return;
    size = next;
    onResize?.();
    for (const l of listeners) l();
  };
  out.on('resize', handle);
  return {
    get: () => size,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => {
      out.off('resize', handle);
      listeners.clear();
    },
  };
}

const SizeContext = createContext<SizeSource>(fixedSize(80, 24));

/** Provides the terminal size to the tree. */
export function SizeProvider({ source, children }: { source: SizeSource; children: ReactNode }) {
  return <SizeContext.Provider value={source}>{children}</SizeContext.Provider>;
}

/** The current terminal size; re-renders the caller on resize only. */
export function useSize(): Size {
  const source = useContext(SizeContext);
  return useSyncExternalStore(source.subscribe, source.get, source.get);
}
