// Pure presentation of the catalog for `opsdeck backups` (and later the Backups view): rows of
// plain strings, and the JSON shape.
//
// JSON shape (`opsdeck backups --json`), one object:
//   { "dir": string, "at": string (ISO),
//     "backups": [{ "path": string, "file": string, "source": string, "sourceType": "postgres" | "files",
//                   "kind": "full" | "data" | "files", "format": "plain" | "custom" | "tar",
//                   "time": string (ISO), "ageHours": number, "size": number, "verified": boolean,
//                   "lastVerify": { "at": string, "ok": boolean, "message": string } | null,
//                   "problem": string | null }],            // newest first
//     "inProgress": [{ "path": string, "pid": number | null, "size": number }],
//     "abandoned":  [{ "path": string, "pid": number | null, "size": number }],
//     "problems": string[] }
import prettyBytes from 'pretty-bytes';
import type { Catalog, CatalogEntry } from './catalog.js';

/** Age as "3h", "2d 4h", "45m". */
export function formatAge(ms: number): string {
  if (ms < 0) return 'future';
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Local time as "2025-01-05 03:00". */
export function formatTime(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function verifiedWord(e: CatalogEntry): string {
  if (e.verified) return e.lastVerify && e.lastVerify.at !== e.meta?.verify.at ? `yes (re-verified ${formatTime(Date.parse(e.lastVerify.at))})` : 'yes';
  if (e.problem) return `NO: ${e.problem}`;
  return `NO: ${e.lastVerify?.message ?? 'not verified'}`;
}

/** Table rows (header first) for a terminal: time, kind, source, size, age, verified, file. */
export function catalogRows(entries: readonly CatalogEntry[], now: number): string[][] {
  const rows = [['TIME', 'KIND', 'SOURCE', 'SIZE', 'AGE', 'VERIFIED', 'FILE']];
  for (const e of entries) {
    rows.push([formatTime(e.time), e.kind === 'data' ? 'data-only' : e.kind, e.sourceKey, prettyBytes(e.size), formatAge(now - e.time), verifiedWord(e), e.file]);
  }
  return rows;
}

/** Aligns rows into lines (the last column is not padded). */
export function alignRows(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

/** The `--json` object described at the top of this file. */
export function catalogJson(catalog: Catalog, now: number): unknown {
  const partial = (p: Catalog['partials'][number]): unknown => ({ path: p.path, pid: p.pid ?? null, size: p.size });
  return {
    dir: catalog.root,
    at: new Date(now).toISOString(),
    backups: catalog.entries.map((e) => ({
      path: e.path,
      file: e.file,
      source: e.sourceKey,
      sourceType: e.source.type,
      kind: e.kind,
      format: e.format,
      time: new Date(e.time).toISOString(),
      ageHours: Math.round(((now - e.time) / 3_600_000) * 10) / 10,
      size: e.size,
      verified: e.verified,
      lastVerify: e.lastVerify ? { at: e.lastVerify.at, ok: e.lastVerify.ok, message: e.lastVerify.message } : null,
      problem: e.problem ?? null,
    })),
    inProgress: catalog.partials.filter((p) => p.alive).map(partial),
    abandoned: catalog.partials.filter((p) => !p.alive).map(partial),
    problems: catalog.problems,
  };
}
