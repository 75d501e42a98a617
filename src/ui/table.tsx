// Our table (ink-table does not load under ink 6): a header row, columns fitted to the width,
// values cut with "…", and a selected row that reads without colour ("›" marker + inverse).
import { Box, Text } from 'ink';
import { useRef } from 'react';
import { Line, type Segment } from './line.js';
import { fitColumns, GAP, windowStart, type ColumnSpec } from './table-layout.js';
import { fit, oneLine } from './text.js';

export interface Column<Row> extends ColumnSpec {
  value: (row: Row) => string;
  /** A theme colour for the cell, e.g. the level of a value; the text must carry the meaning too. */
  color?: (row: Row) => string | undefined;
}

export interface TableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  width: number;
  /** Lines available, header included. */
  height: number;
  /** Index of the selected row, or -1 for none. */
  selected?: number;
  /** Whether this table has the keyboard; the marker is shown only then. */
  active?: boolean;
  /** Shown instead of rows when there are none. */
  empty?: string;
  rowKey: (row: Row, index: number) => string;
}

/** Renders rows as a fixed-width table that scrolls to keep the selected row in view. */
export function Table<Row>({
  columns,
  rows,
  width,
  height,
  selected = -1,
  active = true,
  empty = 'nothing to show',
  rowKey,
}: TableProps<Row>) {
  const startRef = useRef(0);
  const texts = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const fitted = fitColumns(columns, texts, width);
  const bodyHeight = Math.max(1, height - 1);
  const start = windowStart(rows.length, Math.max(0, selected), bodyHeight, startRef.current);
  startRef.current = start;
  const end = Math.min(rows.length, start + bodyHeight);
  const gap = ' '.repeat(GAP);
  const header = fitted.map((f) => fit(f.column.header, f.width, f.column.align)).join(gap);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">{`  ${header}`}</Text>
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate">{`  ${empty}`}</Text>
      ) : (
        rows.slice(start, end).map((row, offset) => {
          const index = start + offset;
          const isSelected = active && index === selected;
          const more = offset === 0 && start > 0 ? '↑ ' : offset === end - start - 1 && end < rows.length ? '↓ ' : '  ';
          const rowTexts = texts[index]!;
          const segments: Segment[] = [{ text: isSelected ? '› ' : more, inverse: isSelected }];
          fitted.forEach((f, i) => {
            const colIndex = columns.indexOf(f.column);
            const cell = fit(rowTexts[colIndex] ?? '', f.width, f.column.align);
            // Each cell its own text: Ink caches sizes per distinct text (see line.tsx).
            segments.push({
              text: `${i > 0 ? gap : ''}${cell}`,
              inverse: isSelected,
              color: isSelected ? undefined : f.column.color?.(row),
            });
          });
          return <Line key={rowKey(row, index)} segments={segments} width={width} />;
        })
      )}
    </Box>
  );
}
