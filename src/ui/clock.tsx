// One shared second ticker. Components turn the time into the text they show (a clock, "3m ago")
// and re-render only when that text changes, so an age in minutes redraws once a minute.
import { createContext, useCallback, useContext, useSyncExternalStore, type ReactNode } from 'react';

export interface Clock {
  /** The time of the latest tick (stable between ticks, as React requires of a snapshot). */
  now(): number;
  subscribe(listener: () => void): () => void;
}

/** A clock that ticks on each wall-clock second while anyone listens. */
export function tickingClock(): Clock {
  let now = Date.now();
  let timer: NodeJS.Timeout | null = null;
  const listeners = new Set<() => void>();
  const arm = () => {
    timer = setTimeout(
      () => {
        now = Date.now();
        for (const l of listeners) l();
        arm();
      },
      1000 - (Date.now() % 1000) + 5,
    );
    timer.unref();
  };
  return {
    now: () => now,
    subscribe: (listener) => {
      listeners.add(listener);
      if (timer === null) {
        now = Date.now();
        arm();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
      };
    },
  };
}

/** A clock stopped at `at` (tests). */
export function fixedClock(at: number): Clock {
  return { now: () => at, subscribe: () => () => {} };
}

const ClockContext = createContext<Clock>(fixedClock(0));

/** Provides the ticker to the tree. */
export function ClockProvider({ clock, children }: { clock: Clock; children: ReactNode }) {
  return <ClockContext.Provider value={clock}>{children}</ClockContext.Provider>;
}

/** Text derived from the current time; the caller re-renders only when the text changes. `format` should be stable. */
export function useTimeText(format: (now: number) => string): string {
  const clock = useContext(ClockContext);
  const snapshot = useCallback(() => format(clock.now()), [clock, format]);
  return useSyncExternalStore(clock.subscribe, snapshot, snapshot);
}

/** The clock's current time without subscribing (for one-off calculations in event handlers). */
export function useClock(): Clock {
  return useContext(ClockContext);
}
