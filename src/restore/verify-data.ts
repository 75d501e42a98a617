// Verification that means something: the exact row count of every table against the counts the
// backup recorded at dump time (taken in pg_dump's own snapshot), plus the configured
// verification queries (the manual's `SELECT COUNT(*) FROM incidents`). Any mismatch fails.
import type pg from 'pg';
import { countRows } from './sql.js';
import type { Comparison, ComparisonRow } from './types.js';
import { compareText } from '../util/text.js';

/** A configured verification query (`backups.verifyQueries`). */
export interface VerifyQuery {
  /** Only for backups of this database (default: every database). */
  database?: string;
  sql: string;
  /** The first column of the first row, as text, must equal this; without it the query must only succeed. */
  expect?: string;
}

/** The queries that apply to a backup of `sourceDb`. */
export function applicableQueries(all: readonly VerifyQuery[], sourceDb: string): VerifyQuery[] {
  return all.filter((q) => q.database === undefined || q.database === sourceDb);
}

/** Rows comparing recorded and actual counts: every recorded table, then tables the backup did not record. Pure. */
export function compareCounts(expected: Record<string, number>, actual: Record<string, number>): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [name, n] of Object.entries(expected).sort(([a], [b]) => compareText(a, b))) {
    const got = actual[name];
    rows.push(
      got === undefined
        ? { name, kind: 'table', expected: String(n), actual: null, ok: false, note: 'table missing' }
        : {
            name,
            kind: 'table',
            expected: String(n),
            actual: String(got),
            ok: got === n,
            ...(got === n ? {} : { note: `${got > n ? '+' : ''}${got - n} rows` }),
          },
    );
  }
  // The backup counts only what its role could read; a table it did not record is shown, not failed.
  for (const name of Object.keys(actual).sort()) {
    if (!(name in expected))
      rows.push({
        name,
        kind: 'table',
        expected: null,
        actual: String(actual[name]),
        ok: true,
        note: 'not recorded in the backup',
      });
  }
  return rows;
}

/** Runs one verification query read-only; its row in the table. */
export async function runQuery(client: pg.Client, q: VerifyQuery): Promise<ComparisonRow> {
  const name = `query: ${q.sql.replace(/\s+/g, ' ').trim()}`;
  const expected = q.expect ?? null;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = '300s'`);
    const r = await client.query<Record<string, unknown>>({ text: q.sql, rowMode: 'array' } as pg.QueryConfig);
    const first = (r.rows[0] as unknown[] | undefined)?.[0];
    const actual = first === undefined || first === null ? null : String(first);
    if (expected === null)
      return { name, kind: 'query', expected, actual, ok: true, note: 'ran (no expected value configured)' };
    return { name, kind: 'query', expected, actual, ok: actual === expected };
  } catch (err) {
    return { name, kind: 'query', expected, actual: null, ok: false, note: `failed: ${(err as Error).message}` };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Counts every table of the connected database and runs the queries; the comparison table. */
export async function verifyDatabase(
  client: pg.Client,
  expected: Record<string, number> | undefined,
  queries: readonly VerifyQuery[],
  signal?: AbortSignal,
): Promise<Comparison> {
  const actual = await countRows(client, signal);
  const rows = expected ? compareCounts(expected, actual) : [];
  for (const q of queries) rows.push(await runQuery(client, q));
  return summarizeComparison(rows, expected !== undefined);
}

/** The verdict over the rows. */
export function summarizeComparison(rows: ComparisonRow[], hadCounts: boolean): Comparison {
  const bad = rows.filter((r) => !r.ok);
  const tables = rows.filter((r) => r.kind === 'table' && r.expected !== null).length;
  const queries = rows.filter((r) => r.kind === 'query').length;
  if (bad.length > 0) {
    const f = bad[0]!;
    const mismatches = `${bad.length} mismatch${bad.length === 1 ? '' : 'es'}`;
    const note = f.note ? ` (${f.note})` : '';
    return {
      rows,
      ok: false,
      message: `${mismatches}; first: ${f.name} expected ${f.expected ?? '—'}, got ${f.actual ?? '—'}${note}`,
    };
  }
  if (tables + queries === 0)
    return {
      rows,
      ok: true,
      message: hadCounts ? 'the backup recorded no tables' : 'nothing to compare with (no recorded counts, no query)',
    };
  return {
    rows,
    ok: true,
    message: `${tables} table${tables === 1 ? '' : 's'} and ${queries} quer${queries === 1 ? 'y' : 'ies'} match`,
  };
}

/** The comparison as aligned text lines (header first): TABLE, EXPECTED, ACTUAL, OK. */
export function formatComparison(c: Comparison): string[] {
  const rows = [
    ['TABLE / QUERY', 'EXPECTED', 'ACTUAL', 'OK'],
    ...c.rows.map((r) => [
      r.name,
      r.expected ?? '—',
      r.actual ?? '—',
      `${r.ok ? 'ok' : 'MISMATCH'}${r.note ? ` (${r.note})` : ''}`,
    ]),
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padStart(w[2]!)}  ${r[3]}`);
}
