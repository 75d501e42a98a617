// Pure presentation of the catalog for `opsdeck backups` (and the Backups view's cells): rows of
// plain strings, and the JSON shape. Drill results come from the restore layer's drill log
// (`drillSummaries(root)` in src/restore/drill-log.ts); they are per source, so every backup of a
// database shows that database's last drill. File sets are never drilled.
//
// JSON shape (`opsdeck backups --json`), one object:
//   { "dir": string, "at": string (ISO),
//     "backups": [{ "path": string, "file": string, "source": string, "sourceType": "postgres" | "files",
//                   "kind": "full" | "data" | "files", "format": "plain" | "custom" | "tar",
//                   "time": string (ISO), "ageHours": number, "size": number, "verified": boolean,
//                   "lastVerify": { "at": string, "ok": boolean, "message": string } | null,
//                   "problem": string | null,
//                   "lastDrill": { "at": string (ISO), "ok": boolean, "backup": string, "message": string,
//                                  "lastOkAt": string (ISO) | null, "daysSinceOk": number | null } | null,
//                   "origin": "opsdeck" | "existing", "existingDir": string | null,
//                   "existingLayout": "itsm" | "knowledge" | "generic" | null,
//                   "offsite": { "state": "pending" | "copying" | "copied" | "failed", "remotePath": string,
//                                "attempts": number, "verifiedAt": string | null, "method": string | null,
//                                "error": string | null, "nextRetryAt": string | null,
//                                "remoteOnly": boolean } | null
//                 }],                                        // newest first
//     "inProgress": [{ "path": string, "pid": number | null, "size": number }],
//     "abandoned":  [{ "path": string, "pid": number | null, "size": number }],
//     "problems": string[] }
//   lastDrill is the newest restore drill of the backup's SOURCE (whichever backup it drilled:
//   "backup" names it), "ok" its result; lastOkAt/daysSinceOk are those of the newest SUCCESSFUL
//   drill (null when none passed). lastDrill is null when the source was never drilled, and always
//   for file sets.
//   origin "existing" is a backup another tool wrote in a directory of backups.existing
//   (existingDir, existingLayout say which and how it was recognised; null for opsdeck's own):
//   format may then also be "file" (one file copied as it is), "verified" is false with problem
//   "not verified yet (no sidecar: written by another tool)", and its "source" is the configured
//   database (dumps) or "files:<set>" (archives).
//   offsite (only with backups.offsite, else null): the backup's off-host copy (src/backup/offsite.ts).
//   A remoteOnly entry is a checked copy whose local file is gone: its "path" is the remote path,
//   and restore/drill fetch it by its file name.
import { daysSinceDrill, type DrillSummary } from './drill-log.js';
import type { Catalog, CatalogEntry } from './catalog.js';
import { age, bytes, localMinute } from '../present/format.js';

/** Drill summaries per source key, as drillSummaries() returns them. */
export type DrillSummaries = ReadonlyMap<string, DrillSummary>;

function verifiedWord(e: CatalogEntry): string {
  // Another tool's backup counts once opsdeck verified it (the facts in its state directory).
  if (e.verified && e.origin === 'existing' && e.lastVerify)
    return `yes (verified by opsdeck ${localMinute(Date.parse(e.lastVerify.at))})`;
  if (e.verified)
    return e.lastVerify && e.lastVerify.at !== e.meta?.verify.at
      ? `yes (re-verified ${localMinute(Date.parse(e.lastVerify.at))})`
      : 'yes';
  if (e.problem) return `NO: ${e.problem}`;
  return `NO: ${e.lastVerify?.message ?? 'not verified'}`;
}

/**
 * The LAST DRILL cell of a source: the age of its newest successful drill ("3d 4h", "never"),
 * plus ", last FAILED" when the newest drill failed; "-" for file sets (they are not drilled).
 */
export function drillWord(
  e: Pick<CatalogEntry, 'source' | 'sourceKey'>,
  drills: DrillSummaries | undefined,
  now: number,
): string {
  if (e.source.type !== 'postgres') return '-';
  const s = drills?.get(e.sourceKey);
  const ok = s?.lastOk ? age(now - Date.parse(s.lastOk.at)) : 'never';
  return s && !s.last.ok ? `${ok}, last FAILED` : ok;
}

/** "opsdeck", or "existing <name> (<layout>)" for another tool's backup. */
export function originWord(e: Pick<CatalogEntry, 'origin' | 'existing'>): string {
  return e.origin === 'existing' && e.existing ? `existing ${e.existing.name} (${e.existing.layout})` : 'opsdeck';
}

/** The OFFSITE cell: "pending", "copying", "copied 2h ago", "FAILED, retry in 4m", "remote only (copied 1d ago)". */
export function offsiteWord(e: Pick<CatalogEntry, 'offsite'>, now: number): string {
  const o = e.offsite;
  if (!o) return '-';
  const copied = o.verifiedAt ? `copied ${age(now - Date.parse(o.verifiedAt))} ago` : 'copied';
  if (o.remoteOnly) return `remote only (${copied})`;
  if (o.state === 'copied') return copied;
  if (o.state === 'failed') {
    const at = o.nextRetryAt ? Date.parse(o.nextRetryAt) : now;
    return `FAILED, retry ${at <= now ? 'due' : `in ${age(at - now)}`}`;
  }
  return o.state;
}

/**
 * Table rows (header first) for a terminal: time, kind, source, size, age, verified, last drill of the source,
 * file.
 */
export function catalogRows(entries: readonly CatalogEntry[], now: number, drills?: DrillSummaries): string[][] {
  // The ORIGIN column only when another tool's backups are listed: without backups.existing the table is as before.
  const withOrigin = entries.some((e) => e.origin === 'existing');
  // The OFFSITE column only with backups.offsite (withOffsite sets e.offsite).
  const withOffsite = entries.some((e) => e.offsite !== undefined);
  const rows = [
    [
      'TIME',
      'KIND',
      'SOURCE',
      ...(withOrigin ? ['ORIGIN'] : []),
      'SIZE',
      'AGE',
      'VERIFIED',
      'LAST DRILL',
      ...(withOffsite ? ['OFFSITE'] : []),
      'FILE',
    ],
  ];
  for (const e of entries) {
    rows.push([
      localMinute(e.time),
      e.kind === 'data' ? 'data-only' : e.kind,
      e.sourceKey,
      ...(withOrigin ? [originWord(e)] : []),
      bytes(e.size),
      age(now - e.time),
      verifiedWord(e),
      drillWord(e, drills, now),
      ...(withOffsite ? [offsiteWord(e, now)] : []),
      e.file,
    ]);
  }
  return rows;
}

function drillJson(e: CatalogEntry, drills: DrillSummaries | undefined, now: number): unknown {
  const s = e.source.type === 'postgres' ? drills?.get(e.sourceKey) : undefined;
  if (!s) return null;
  return {
    at: s.last.at,
    ok: s.last.ok,
    backup: s.last.backup,
    message: s.last.message,
    lastOkAt: s.lastOk?.at ?? null,
    daysSinceOk: s.lastOk ? Math.round(Math.max(0, daysSinceDrill(s, now)) * 10) / 10 : null,
  };
}

/** Aligns rows into lines (the last column is not padded). */
export function alignRows(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

/** The `--json` object described at the top of this file. */
export function catalogJson(catalog: Catalog, now: number, drills?: DrillSummaries): unknown {
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
      lastDrill: drillJson(e, drills, now),
      origin: e.origin,
      existingDir: e.existing?.dir ?? null,
      existingLayout: e.existing?.layout ?? null,
      offsite: e.offsite
        ? {
            state: e.offsite.state,
            remotePath: e.offsite.remotePath,
            attempts: e.offsite.attempts,
            verifiedAt: e.offsite.verifiedAt ?? null,
            method: e.offsite.method ?? null,
            error: e.offsite.error ?? null,
            nextRetryAt: e.offsite.nextRetryAt ?? null,
            remoteOnly: e.offsite.remoteOnly,
          }
        : null,
    })),
    inProgress: catalog.partials.filter((p) => p.alive).map(partial),
    abandoned: catalog.partials.filter((p) => !p.alive).map(partial),
    problems: catalog.problems,
  };
}
