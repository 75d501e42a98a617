// The verification comparison as table lines — table, expected, actual, ok — fitted to the panel's
// width. A mismatch reads "✗" plus its note, so the table needs no colour. Pure.
import type { Comparison, ComparisonRow } from '../../restore/types.js';
import type { PanelLine } from './panel-lines.js';
import { fitColumns, type ColumnSpec } from '../table-layout.js';
import { fit } from '../text.js';

const COLUMNS: ColumnSpec[] = [
  { id: 'name', header: 'table', min: 12, flex: 1 },
  { id: 'expected', header: 'expected', min: 8, max: 14, align: 'right' },
  { id: 'actual', header: 'actual', min: 8, max: 14, align: 'right' },
  { id: 'ok', header: 'ok', min: 4, max: 28, drop: 1 },
];

function cells(r: ComparisonRow): string[] {
  return [
    r.name,
    r.expected ?? '—',
    r.actual ?? '—',
    r.ok ? `✓${r.note ? ` ${r.note}` : ''}` : `✗ ${r.note ?? 'mismatch'}`,
  ];
}

/** The comparison's headline and one line per row (mismatches first), header included. */
export function comparisonLines(cmp: Comparison, width: number): PanelLine[] {
  const rows = [...cmp.rows].sort((a, b) => Number(a.ok) - Number(b.ok));
  const texts = rows.map(cells);
  const fitted = fitColumns(COLUMNS, texts, width);
  const line = (t: string[]): string =>
    `  ${fitted.map((f) => fit(t[COLUMNS.indexOf(f.column)] ?? '', f.width, f.column.align)).join(' ')}`.trimEnd();
  const out: PanelLine[] = [
    { text: `Verification: ${cmp.ok ? 'PASSED' : 'FAILED'} — ${cmp.message}`, tone: cmp.ok ? 'ok' : 'bad', bold: true },
  ];
  out.push({ text: line(COLUMNS.map((c) => c.header)), bold: true });
  rows.forEach((r, i) => out.push({ text: line(texts[i]!), ...(r.ok ? {} : { tone: 'bad' as const }) }));
  return out;
}
