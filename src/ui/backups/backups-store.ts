// The Backups view's own store: the catalog as last read, and the one task panel (re-verify,
// drill, restore walkthrough) with its plain-data progress. Jobs outlive the view (the operator
// may look elsewhere while a drill runs), so this lives outside React; the controller writes it,
// the components select single values from it. Taking a backup and pruning are ordinary plans:
// they go through the console's shared plan dialog (src/ui/actions).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PlanRun } from '../../plan/plan.js';
import type { CatalogEntry, PartialFile } from '../../backup/catalog.js';
import type { VerifyReport } from '../../backup/verify.js';
import type { DrillSummary } from '../../backup/drill-log.js';
import type { DrillSnapshot } from '../../restore/drill.js';
import type { Check, RestoreSnapshot } from '../../restore/types.js';
import type { Mode } from '../keymap.js';

/** The catalog as last read; a failed read keeps the last good entries and says why. */
export interface CatalogData {
  root: string;
  entries: CatalogEntry[];
  partials: PartialFile[];
  problems: string[];
  /** Drill summaries per source key. */
  drills: Record<string, DrillSummary>;
  loadedAt: number | null;
  error: string | null;
}

interface TaskBase {
  /** Which task this is: updates of an older, replaced task are dropped. */
  seq: number;
  /** Lines scrolled down in the panel. */
  scroll: number;
  /** Closed by the operator while it runs on; a key of the view brings it back. */
  hidden: boolean;
  /** A one-line remark for the operator ("x cancels the restore first"). */
  note: string | null;
  /** Why the task stopped before its end (it could not start, or broke); it is over then. */
  error: string | null;
}

export interface VerifyTask extends TaskBase {
  kind: 'verify';
  file: string;
  run: PlanRun | null;
  report: VerifyReport | null;
  done: boolean;
}

export interface DrillTask extends TaskBase {
  kind: 'drill';
  file: string;
  snap: DrillSnapshot | null;
}

export interface RestoreTask extends TaskBase {
  kind: 'restore';
  file: string;
  database: string;
  /** preflight: checks running; refused: a check failed (nothing changed); walk: the restore runs (see snap). */
  stage: 'preflight' | 'refused' | 'walk';
  checks: Check[];
  snap: RestoreSnapshot | null;
  /** The database name typed so far at the drop prompt. */
  typed: string;
  startedAt: number;
}

export type Task = VerifyTask | DrillTask | RestoreTask;

export interface BackupsState {
  catalog: CatalogData;
  task: Task | null;
  /** A one-line message for the operator (why a key did nothing). */
  notice: string | null;
}

export type BackupsStore = StoreApi<BackupsState>;

/** A fresh store for the backup root `root`. */
export function createBackupsStore(root: string): BackupsStore {
  return createStore<BackupsState>(() => ({
    catalog: { root, entries: [], partials: [], problems: [], drills: {}, loadedAt: null, error: null },
    task: null,
    notice: null,
  }));
}

/** Whether the task is still doing something (not waiting only to be closed). */
export function taskRunning(t: Task): boolean {
  if (t.error !== null) return false;
  switch (t.kind) {
    case 'verify':
      return !t.done;
    case 'drill':
      return t.snap?.phase !== 'done';
    case 'restore':
      return t.stage === 'preflight' || (t.stage === 'walk' && t.snap?.phase !== 'done');
  }
}

/** The keyboard mode the open panel needs (null: no panel, the table has the keyboard). */
export function taskMode(t: Task | null): Mode | null {
  if (!t || t.hidden) return null;
  if (t.kind === 'restore') {
    const q = t.snap?.phase === 'confirming' ? t.snap.pending : undefined;
    if (q) return q.kind === 'type' ? 'typing' : 'question';
    return 'task';
  }
  return 'task';
}
