// Pure presentation of the catalog for the Backups table: the columns (time, kind, source, origin
// when another tool's backups are listed, size, age, verified, last drill, file) and the lines
// about the selected backup. Every state has a word or symbol, so it reads without colour.
import type { CatalogEntry } from '../../backup/catalog.js';
import { drillWord, offsiteWord } from '../../backup/catalog-format.js';
import type { DrillSummary } from '../../backup/drill-log.js';
import type { Column } from '../table.js';
import type { CatalogData } from '../../app/console/backups-store.js';
import { age, bytes, duration, fromSeconds, localMinute } from '../../present/format.js';
import type { PgWalArchive } from '../../probes/postgres.js';

const asMap = (drills: Record<string, DrillSummary>): ReadonlyMap<string, DrillSummary> =>
  new Map(Object.entries(drills));

/** "✓ yes", "✓ re-verified", "✗ NO", "✗ CORRUPT" (the latest verification failed). */
export function verifiedCell(e: CatalogEntry): string {
  if (e.verified && e.origin === 'existing') return '✓ yes';
  if (e.verified) return e.lastVerify && e.lastVerify.at !== e.meta?.verify.at ? '✓ re-verified' : '✓ yes';
  // Its latest verification failed: corrupt or truncated, never the newest good backup.
  if (e.lastVerify && !e.lastVerify.ok) return '✗ CORRUPT';
  return '✗ NO';
}

/** The origin cell: "opsdeck", or "<layout> (<name>)" for a backup another tool wrote. */
export function originCell(e: Pick<CatalogEntry, 'origin' | 'existing'>): string {
  return e.origin === 'existing' && e.existing ? `${e.existing.layout} (${e.existing.name})` : 'opsdeck';
}

/**
 * The table columns at time `now`, with the drill summaries of the catalog. An origin column
 * joins them only when the catalog lists another tool's backups (backups.existing).
 */
export function catalogColumns(
  catalog: Pick<CatalogData, 'drills'> & { entries?: readonly CatalogEntry[] },
  now: number,
  bad: (color: 'CRITICAL' | 'WARNING') => string | undefined,
): Column<CatalogEntry>[] {
  const drills = asMap(catalog.drills);
  const origin: Column<CatalogEntry>[] = catalog.entries?.some((e) => e.origin === 'existing')
    ? [{ id: 'origin', header: 'origin', min: 7, max: 24, value: originCell }]
    : [];
  // The off-host copy, only with backups.offsite (the controller sets e.offsite).
  const offsite: Column<CatalogEntry>[] = catalog.entries?.some((e) => e.offsite !== undefined)
    ? [
        {
          id: 'offsite',
          header: 'off-host',
          min: 8,
          max: 26,
          drop: 1,
          value: (e) => offsiteWord(e, now),
          color: (e) => (e.offsite?.state === 'failed' ? bad('WARNING') : undefined),
        },
      ]
    : [];
  return [
    { id: 'time', header: 'time', min: 16, value: (e) => localMinute(e.time) },
    { id: 'kind', header: 'kind', min: 5, max: 9, value: (e) => (e.kind === 'data' ? 'data-only' : e.kind) },
    { id: 'source', header: 'source', min: 8, max: 30, flex: 1, value: (e) => e.sourceKey },
    ...origin,
    { id: 'size', header: 'size', min: 7, align: 'right', value: (e) => bytes(e.size) },
    { id: 'age', header: 'age', min: 6, align: 'right', value: (e) => age(now - e.time) },
    {
      id: 'verified',
      header: 'verified',
      min: 8,
      max: 13,
      value: verifiedCell,
      color: (e) => (e.verified ? undefined : bad('CRITICAL')),
    },
    {
      id: 'drill',
      header: 'last drill',
      min: 10,
      max: 20,
      drop: 1,
      value: (e) => drillWord(e, drills, now),
      color: (e) =>
        /FAILED|never/.test(drillWord(e, drills, now)) && e.source.type === 'postgres' ? bad('WARNING') : undefined,
    },
    ...offsite,
    { id: 'file', header: 'file', min: 12, max: 44, flex: 1, drop: 2, value: (e) => e.file },
  ];
}

/** What the view says about the selected backup: its file and why it is (not) trusted; more when `detail`. */
export function entryLines(
  e: CatalogEntry,
  catalog: Pick<CatalogData, 'drills'>,
  now: number,
  detail: boolean,
): string[] {
  const lines = [detail ? e.path : e.file];
  const v = e.lastVerify;
  if (e.verified) lines.push(`verified ${v ? `${localMinute(Date.parse(v.at))} (${v.message})` : ''}`.trim());
  else lines.push(`NOT verified: ${e.problem ?? v?.message ?? 'no verification recorded'}`);
  if (e.origin === 'existing' && e.existing) {
    const from = e.existing.timeFrom === 'name' ? 'the file name' : "the file's mtime (no stamp in the name)";
    lines.push(`written by another tool in ${e.existing.dir} (${e.existing.layout} layout), time from ${from}`);
  }
  const o = e.offsite;
  if (o) {
    if (o.remoteOnly)
      lines.push(`only on the remote: ${o.remotePath} (drill and restore fetch it and check its sha256)`);
    else if (o.state === 'copied')
      lines.push(
        `off-host copy ${o.remotePath}, checked ` +
          `${o.verifiedAt ? localMinute(Date.parse(o.verifiedAt)) : ''} (${o.method ?? ''})`,
      );
    else if (o.state === 'failed')
      lines.push(
        `off-host copy FAILED (${o.attempts}×): ${o.error ?? ''}; ` +
          `next retry ${o.nextRetryAt ? localMinute(Date.parse(o.nextRetryAt)) : 'soon'}`,
      );
    else lines.push(`off-host copy ${o.state}: ${o.remotePath}`);
  }
  const drill = e.source.type === 'postgres' ? catalog.drills[e.sourceKey] : undefined;
  if (drill) {
    const result = drill.last.ok ? 'passed' : 'FAILED';
    lines.push(`last drill ${age(now - Date.parse(drill.last.at))} ago: ${result} — ${drill.last.message}`);
  }
  if (!detail) return lines;
  const m = e.meta;
  const sha = e.existing?.sha256;
  if (!m && sha) return [...lines, `sha256 ${sha} (computed by opsdeck: no checksum was recorded at backup time)`];
  if (!m) return [...lines, 'no sidecar: size, checksum and row counts unknown'];
  const tables = m.rowCounts ? Object.keys(m.rowCounts).length : 0;
  const rows = m.rowCounts ? Object.values(m.rowCounts).reduce((a, b) => a + b, 0) : 0;
  lines.push(`sha256 ${m.sha256}`);
  lines.push(`${m.tool}${m.serverVersion ? ` · server ${m.serverVersion}` : ''}`);
  if (m.rowCounts) lines.push(`${tables} table${tables === 1 ? '' : 's'}, ${rows} rows recorded at dump time`);
  if (m.entries !== undefined) lines.push(`${m.entries} archive entries`);
  return lines;
}

/** One line about the catalog: how many, the newest verified backup per source. */
export function catalogSummary(catalog: CatalogData, now: number): string {
  const n = catalog.entries.length;
  const newest = new Map<string, CatalogEntry>();
  for (const e of catalog.entries) if (e.verified && !newest.has(e.sourceKey)) newest.set(e.sourceKey, e);
  const ages = [...newest.values()].map((e) => `${e.sourceKey} ${age(now - e.time)}`);
  const partial = catalog.partials.filter((p) => p.alive).length;
  const others = catalog.entries.filter((e) => e.origin === 'existing').length;
  return [
    `${n} backup${n === 1 ? '' : 's'}`,
    others ? `${others} written by other tools` : '',
    ages.length ? `newest verified: ${ages.join(', ')}` : 'no verified backup',
    partial ? `${partial} in progress` : '',
    catalog.root,
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The recovery point in one line: for each database, the newest verified backup, and the
 * server's WAL archiving in words (walWords). What a failure now would lose is the time since the
 * later of the two.
 */
export function recoveryPointLine(catalog: CatalogData, wal: string, now: number): string {
  const newest = new Map<string, CatalogEntry>();
  for (const e of catalog.entries) {
    if (e.source.type === 'postgres' && e.verified && !newest.has(e.sourceKey)) newest.set(e.sourceKey, e);
  }
  const dbs = [...new Set(catalog.entries.filter((e) => e.source.type === 'postgres').map((e) => e.sourceKey))];
  if (dbs.length === 0) return '';
  const backups = dbs.map((db) => {
    const e = newest.get(db);
    return `${db} ${e ? `backup ${age(now - e.time)} ago` : 'no verified backup'}`;
  });
  return `Recovery point: ${backups.join(', ')} · ${wal}`;
}

/** The server's WAL archiving in words; null when PostgreSQL has not been read. */
export function walWords(wal: PgWalArchive | null): string {
  if (wal === null) return 'WAL archiving unknown (PostgreSQL not read)';
  if (!wal.archiving) return 'no WAL archiving: a failure loses everything since the backup';
  if (wal.failing) return `WAL archiving FAILING since ${wal.lastFailedWal ?? '?'} (${wal.failed} failed)`;
  if (wal.lastArchivedWal === null) return 'WAL archiving on, nothing archived yet';
  return `WAL archived ${duration(fromSeconds(wal.ageSeconds))} ago`;
}
