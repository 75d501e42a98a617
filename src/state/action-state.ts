// What the console shows about actions, as plain data: the guard's mode, a text prompt, a
// one-line flash, and counters that tell views to re-read (audit trail, statuses). The task
// flow has its own store (src/app/console/task-flow.ts). Plans, abort controllers, clients and
// log tails live in the controllers, never here.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LogSourceConfig } from '../config/schema.js';

/** The guard's mode as the console shows it. */
export type GuardMode =
  { mode: 'read-write' } | { mode: 'read-only' } | { mode: 'armed'; until: number; reason: string };

/** The open one-line text prompt. */
export interface Prompt {
  /** Who owns the answer (e.g. `arm.minutes`, `logs.filter`). */
  id: string;
  title: string;
  label: string;
  text: string;
  note: string | null;
  error: string | null;
}

/** A one-line message that replaces the footer for a while. */
export interface Flash {
  text: string;
  error: boolean;
  at: number;
}

/** Everything the console shows about actions. */
export interface ActionData {
  guard: GuardMode;
  prompt: Prompt | null;
  flash: Flash | null;
  /** Bumped when the audit trail has new lines (a task ended, a plan was declined, arming changed). */
  auditVersion: number;
  /** Bumped when a task has finished (services re-read their status). */
  finished: number;
  /** The Logs view's source and filter, kept while the view is closed. */
  logSource: LogSourceConfig | null;
  logFilter: string;
}

/** The store's only ways to change (controllers call them). */
export interface ActionSetters {
  set(patch: Partial<ActionData>): void;
  patchPrompt(patch: Partial<Prompt>): void;
  bumpAudit(): void;
  bumpFinished(): void;
}

export type ActionState = ActionData & ActionSetters;
export type ActionStore = StoreApi<ActionState>;

/** A fresh store; `readOnly` seeds the guard mode. */
export function createActionStore(opts: { readOnly: boolean; logSource?: LogSourceConfig | null }): ActionStore {
  return createStore<ActionState>()((set, get) => ({
    guard: opts.readOnly ? { mode: 'read-only' } : { mode: 'read-write' },
    prompt: null,
    flash: null,
    auditVersion: 0,
    finished: 0,
    logSource: opts.logSource ?? null,
    logFilter: '',
    set: (patch) => set(patch),
    patchPrompt: (patch) => {
      const p = get().prompt;
      if (p) set({ prompt: { ...p, ...patch } });
    },
    bumpAudit: () => set({ auditVersion: get().auditVersion + 1 }),
    bumpFinished: () => set({ finished: get().finished + 1, auditVersion: get().auditVersion + 1 }),
  }));
}

/** Whether dangerous commands are bound: writable, or read-only but armed. */
export function actionsEnabled(g: GuardMode): boolean {
  return g.mode !== 'read-only';
}
