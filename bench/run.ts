// Runs every benchmark in bench/ and prints one row per figure: what was measured, opsdeck's
// median, the baseline measured in the same run, and the ratio. Not part of `npm test`.
// Files starting with `_` (one-off A/Bs, profiles, helpers) and vs.ts are left out.
//
// No-regression check against an older commit: `npm run bench:vs -- [REF] [--runs N]
// [--idle-seconds S]` (bench/vs.ts) builds REF (default: main before the restructure) in
// /tmp/opsdeck-vs/<sha>, builds this tree, and measures both builds interleaved in one run:
// console first frame, idle CPU and RSS, with PASS/FAIL against 1.05×.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Row } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'types.ts', 'vs.ts'].includes(f) && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const rows: Row[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file} …\n`);
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run?: () => Promise<Row[]> };
  if (typeof mod.run !== 'function') continue;
  try {
    rows.push(...(await mod.run()));
  } catch (err) {
    process.stderr.write(`bench: ${file} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3));
const table = [['measure', 'unit', 'opsdeck', 'baseline', 'baseline is', 'ratio', 'target']];
for (const r of rows) {
  table.push([
    r.name,
    r.unit,
    fmt(r.opsdeck),
    fmt(r.baseline),
    r.baselineName,
    r.baseline === 0 ? '-' : `${(r.opsdeck / r.baseline).toFixed(2)}×`,
    r.target ?? '',
  ]);
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table)
  console.log(row.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
process.stderr.write(
  'bench: against an older commit (first frame, idle CPU, RSS; PASS/FAIL at 1.05×): npm run bench:vs -- [REF]\n',
);
