import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Table, type Column } from '../../src/ui/table.js';
import { fitColumns, windowStart, type ColumnSpec } from '../../src/ui/table-layout.js';
import { displayWidth, fit, oneLine, truncate } from '../../src/ui/text.js';
import { sparkline } from '../../src/ui/sparkline.js';
import { fuzzyMatch, fuzzyRank } from '../../src/ui/fuzzy.js';

afterEach(() => cleanup());

describe('text', () => {
  it('truncates with an ellipsis and pads to width, counting wide characters as two', () => {
    expect(truncate('itsm-backend', 8)).toBe('itsm-ba…');
    expect(truncate('short', 8)).toBe('short');
    expect(fit('42', 5, 'right')).toBe('   42');
    expect(displayWidth('障害対応')).toBe(8);
    expect(truncate('障害対応手順', 7)).toBe('障害対…');
    expect(oneLine('SELECT *\n  FROM t\twhere x')).toBe('SELECT * FROM t where x');
  });

  it('draws sparklines on a fixed scale, blank for gaps', () => {
    expect(sparkline([0, 50, 100], 3)).toBe('▁▅█');
    expect(sparkline([10, null, 10], 5)).toBe('  ▁ ▁');
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▁▁');
  });

  it('fuzzy-matches in order and prefers word starts and runs', () => {
    expect(fuzzyMatch('pg', 'Show the PostgreSQL view')).not.toBeNull();
    expect(fuzzyMatch('xyz', 'Show the PostgreSQL view')).toBeNull();
    expect(fuzzyRank('quit', ['Quiet mode', 'Quit opsdeck'], (s) => [s])[0]).toBe('Quit opsdeck');
  });
});

describe('column fitting', () => {
  const cols: ColumnSpec[] = [
    { id: 'name', header: 'name', min: 10, max: 40, flex: 2 },
    { id: 'state', header: 'state', min: 7, max: 10 },
    { id: 'cpu', header: 'cpu', min: 6, align: 'right' },
    { id: 'image', header: 'image', min: 10, max: 50, flex: 1, drop: 1 },
  ];
  const cells = [['itsm-backend', 'running', '23 %', 'itsm/backend:2.4.1']];

  it('fits 80 columns exactly or under, never over', () => {
    const fitted = fitColumns(cols, cells, 80);
    const used = 2 + fitted.reduce((s, f) => s + f.width, 0) + (fitted.length - 1);
    expect(used).toBeLessThanOrEqual(80);
    expect(fitted.map((f) => f.column.id)).toEqual(['name', 'state', 'cpu', 'image']);
  });

  it('drops optional columns before cutting the ones that matter', () => {
    const long = [['itsm-nginx-reverse-proxy-with-a-long-name', 'running', '1 %', 'nginx:1.27']];
    const fitted = fitColumns(cols, long, 60);
    expect(fitted.map((f) => f.column.id)).toEqual(['name', 'state', 'cpu']);
    expect(fitted[0]!.width).toBe(40);
  });

  it('lets flex columns take the spare room up to their max', () => {
    const fitted = fitColumns(cols, cells, 200);
    expect(fitted.find((f) => f.column.id === 'name')!.width).toBe(40);
    expect(fitted.find((f) => f.column.id === 'image')!.width).toBe(50);
  });

  it('still fits when even the minimums do not', () => {
    const fitted = fitColumns(cols.slice(0, 3), cells, 20);
    expect(2 + fitted.reduce((s, f) => s + f.width, 0) + fitted.length - 1).toBeLessThanOrEqual(20);
  });

  it('scrolls the window to keep the selected row visible', () => {
    expect(windowStart(100, 0, 10)).toBe(0);
    expect(windowStart(100, 15, 10)).toBe(6);
    expect(windowStart(100, 8, 10, 6)).toBe(6);
    expect(windowStart(100, 3, 10, 6)).toBe(3);
    expect(windowStart(5, 4, 10)).toBe(0);
  });
});

describe('<Table>', () => {
  interface Row {
    name: string;
    cpu: number;
  }
  const columns: Column<Row>[] = [
    { id: 'name', header: 'name', min: 8, max: 30, flex: 1, value: (r) => r.name },
    { id: 'cpu', header: 'cpu', min: 5, align: 'right', value: (r) => `${r.cpu} %` },
  ];
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
    name: i === 1 ? 'a-container-name-far-longer-than-thirty-cells' : `c${i}`,
    cpu: i,
  }));

  it('shows a header, truncates long values with "…" and marks the selected row without colour', () => {
    const { lastFrame } = render(
      <Table columns={columns} rows={rows} width={40} height={6} selected={1} rowKey={(r) => r.name} />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines[0]).toMatch(/^\s+name\s+cpu$/);
    expect(lines[2]).toBe('› a-container-name-far-longer-t…   1 %');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatch(/^↓ /); // more rows below
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
  });

  it('scrolls to the selected row', () => {
    const { lastFrame } = render(
      <Table columns={columns} rows={rows} width={40} height={6} selected={20} rowKey={(r) => r.name} />,
    );
    const frame = lastFrame() ?? '';
    expect(frame).toContain('› c20');
    expect(frame).not.toContain(' c0 ');
    expect(frame.split('\n')[1]).toMatch(/^↑ /);
  });

  it('says so when there are no rows', () => {
    const { lastFrame } = render(
      <Table columns={columns} rows={[]} width={40} height={6} rowKey={(r) => r.name} empty="no containers" />,
    );
    expect(lastFrame()).toContain('no containers');
  });
});
