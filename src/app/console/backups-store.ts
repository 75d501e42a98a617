// The Backups view's own store: the catalog as last read and a one-line notice. Its tasks
// (re-verify, drill, restore, backup, prune) run in the console's one task flow (task-flow.ts).
// The controller writes this store; components select single values from it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CatalogEntry, PartialFile } from '../../backup/catalog.js';
import type { DrillSummary } from '../../backup/drill-log.js';

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

export interface BackupsState {
  catalog: CatalogData;
  /** A one-line message for the operator (why a key did nothing). */
  notice: string | null;
}

export type BackupsStore = StoreApi<BackupsState>;

/** A fresh store for the backup root `root`. */
export function createBackupsStore(root: string): BackupsStore {
  return createStore<BackupsState>(() => ({
    catalog: { root, entries: [], partials: [], problems: [], drills: {}, loadedAt: null, error: null },
    notice: null,
  }));
}
