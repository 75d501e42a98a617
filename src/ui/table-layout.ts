// Fitting table columns into the terminal width: every column gets its minimum, then grows
// toward its content (bounded by its maximum), then flex columns take what is left. When even
// the minimums do not fit, the columns with the highest `drop` rank are left out.
import { displayWidth } from './text.js';

export interface ColumnSpec {
  id: string;
  header: string;
  min: number;
  max?: number;
  /** Share of the spare width once every column shows its content; 0 = never wider than content. */
  flex?: number;
  /** Columns with a higher rank are dropped first when the width is too small; 0 = never. */
  drop?: number;
  align?: 'left' | 'right';
}

export interface FittedColumn<C extends ColumnSpec = ColumnSpec> {
  column: C;
  width: number;
}

/** Cells between columns. */
export const GAP = 1;
/** Cells reserved on the left for the selection marker ("› "). */
export const MARKER = 2;

/** Widths for `columns` fitted to `total` cells, given the cell texts of each column. */
export function fitColumns<C extends ColumnSpec>(
  columns: readonly C[],
  cells: readonly (readonly string[])[],
  total: number,
): FittedColumn<C>[] {
  const natural = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...(cells.map((row) => displayWidth(row[i] ?? '')) as number[]), 0),
  );
  // What a column needs to be shown whole: its content up to its max (a column with no max,
  // like a query text, is content to be cut and only needs its min).
  const wants = columns.map((c, i) => (c.max === undefined ? c.min : Math.max(c.min, Math.min(natural[i]!, c.max))));
  let kept = columns.map((c, i) => i);
  for (;;) {
    const fitted = fitOnce(columns, kept, natural, total);
    const droppable = kept.filter((i) => (columns[i]!.drop ?? 0) > 0);
    const starved = fitted.some((f, k) => (columns[kept[k]!]!.drop ?? 0) === 0 && f.width < wants[kept[k]!]!);
    const over =
      kept.reduce((sum, i) => sum + columns[i]!.min, 0) + MARKER + GAP * Math.max(0, kept.length - 1) > total;
    // Optional columns give way when the columns that matter are cut or do not fit at all.
    if ((!starved && !over) || droppable.length === 0) return fitted;
    const victim = droppable.sort((a, b) => (columns[b]!.drop ?? 0) - (columns[a]!.drop ?? 0) || b - a)[0]!;
    kept = kept.filter((i) => i !== victim);
  }
}

function fitOnce<C extends ColumnSpec>(
  columns: readonly C[],
  kept: readonly number[],
  natural: readonly number[],
  total: number,
): FittedColumn<C>[] {
  const room = total - MARKER - GAP * Math.max(0, kept.length - 1);
  const widths = kept.map((i) => columns[i]!.min);
  let spare = room - widths.reduce((a, b) => a + b, 0);
  if (spare < 0) {
    // Nothing left to drop: shrink from the right so the row still fits.
    for (let k = widths.length - 1; k >= 0 && spare < 0; k--) {
      const cut = Math.min(widths[k]! - 1, -spare);
      widths[k]! -= cut;
      spare += cut;
    }
  }
  // Grow toward content, smallest shortfall first so short columns are shown whole.
  const wants = kept.map((i, k) => Math.max(0, Math.min(natural[i]!, columns[i]!.max ?? Infinity) - widths[k]!));
  const order = wants.map((w, k) => ({ w, k })).sort((a, b) => a.w - b.w);
  order.forEach(({ w, k }, n) => {
    const share = Math.floor(spare / (order.length - n));
    const grant = Math.min(w, Math.max(0, share === 0 && spare > 0 ? 1 : share));
    widths[k]! += grant;
    spare -= grant;
  });
  // Then flex columns share the rest in proportion to their weight.
  const flexers = kept
    .map((i, k) => ({ k, f: columns[i]!.flex ?? 0, max: columns[i]!.max ?? Infinity }))
    .filter((x) => x.f > 0);
  while (spare > 0) {
    const open = flexers.filter((x) => widths[x.k]! < x.max);
    if (open.length === 0) break;
    const weight = open.reduce((sum, x) => sum + x.f, 0);
    let given = 0;
    for (const x of open) {
      const grant = Math.min(x.max - widths[x.k]!, Math.max(1, Math.floor((spare * x.f) / weight)), spare - given);
      widths[x.k]! += grant;
      given += grant;
      if (given >= spare) break;
    }
    spare -= given;
    if (given === 0) break;
  }
  return kept.map((i, k) => ({ column: columns[i]!, width: widths[k]! }));
}

/** First row index to show so that `selected` stays visible in a window of `height` rows. */
export function windowStart(count: number, selected: number, height: number, previousStart = 0): number {
  if (height <= 0 || count <= height) return 0;
  let start = Math.min(previousStart, count - height);
  if (selected < start) start = selected;
  if (selected >= start + height) start = selected - height + 1;
  return Math.max(0, Math.min(start, count - height));
}
