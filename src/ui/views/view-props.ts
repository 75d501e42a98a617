// What every view receives: its box, the navigation state that concerns it, and a way to tell
// the input handler how long its focused list is (so j/k/G stay within it).
import { useLayoutEffect } from 'react';
import type { ViewId } from '../keymap.js';
import type { SortState } from '../view-state.js';

export interface NavInfo {
  /** Rows in the focused list. */
  rows: number;
  /** Panels or tables that h/l move between. */
  panels: number;
  /** Rows visible at once (PgUp/PgDn). */
  page: number;
}

export type NavReport = (view: ViewId, info: NavInfo) => void;

export interface ViewProps {
  width: number;
  height: number;
  focus: number;
  /** Selected row of the focused list (unclamped; clamp against the rows shown). */
  selected: number;
  sort: SortState;
  filter: string;
  detail: boolean;
  report: NavReport;
}

/** Reports a view's list sizes after each render in which they changed. */
export function useNavReport(report: NavReport, view: ViewId, rows: number, panels: number, page: number): void {
  useLayoutEffect(() => {
    report(view, { rows, panels, page });
  }, [report, view, rows, panels, page]);
}

/** Clamps a selection to a list of `rows` rows (-1 when empty). */
export function clampRow(selected: number, rows: number): number {
  return rows <= 0 ? -1 : Math.max(0, Math.min(rows - 1, selected));
}
