// What the console shows about actions, as plain data: the guard's mode, the plan dialog (its
// phase, the plan's lines, the blast radius, the typed answer, the run's per-step state), a text
// prompt, a one-line flash, and counters that tell views to re-read (audit trail, statuses).
// Plans, abort controllers, clients and log tails live in the controllers, never here.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Confirmation } from '../plan/confirm.js';
import type { Danger, PlanRun } from '../plan/plan.js';
import type { LogSourceConfig } from '../config/schema.js';

/** The guard's mode as the console shows it. */
export type GuardMode = { mode: 'read-write' } | { mode: 'read-only' } | { mode: 'armed'; until: number; reason: string };

/** preparing: building the plan; confirm: asking; running: executing; done: the summary is up. */
export type DialogPhase = 'preparing' | 'confirm' | 'running' | 'done';

/** The open plan dialog, plain data only. */
export interface PlanDialog {
  /** Increases with every dialog, so a late answer for an old one is ignored. */
  id: number;
  title: string;
  phase: DialogPhase;
  action: string;
  target: string;
  danger: Danger | null;
  /** formatPlan's lines: the header, then each step with its exact command. */
  planLines: string[];
  /** Who is affected; null while it is being looked up. */
  blast: string[] | null;
  confirmation: Confirmation | null;
  /** What the operator has typed (destructive plans). */
  answer: string;
  /** Why the answer was not accepted, or why the plan could not be built. */
  error: string | null;
  run: PlanRun | null;
  cancelling: boolean;
  /** Lines scrolled down in the panel. */
  scroll: number;
  /** Put away by the operator while it runs on; its result is flashed when it ends. */
  hidden: boolean;
}

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
  dialog: PlanDialog | null;
  prompt: Prompt | null;
  flash: Flash | null;
  /** Bumped when the audit trail has new lines (a plan ended, arming changed). */
  auditVersion: number;
  /** Bumped when a plan has finished (services re-read their status). */
  finished: number;
  /** The Logs view's source and filter, kept while the view is closed. */
  logSource: LogSourceConfig | null;
  logFilter: string;
}

/** The store's only ways to change (controllers call them). */
export interface ActionSetters {
  set(patch: Partial<ActionData>): void;
  /** Changes the open dialog, if it is still dialog `id`. */
  patchDialog(id: number, patch: Partial<PlanDialog>): void;
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
    dialog: null,
    prompt: null,
    flash: null,
    auditVersion: 0,
    finished: 0,
    logSource: opts.logSource ?? null,
    logFilter: '',
    set: (patch) => set(patch),
    patchDialog: (id, patch) => {
      const d = get().dialog;
      if (d && d.id === id) set({ dialog: { ...d, ...patch } });
    },
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
