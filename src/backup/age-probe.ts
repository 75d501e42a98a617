// The backup-age probe: for every configured source, the age in hours of its newest VERIFIED
// backup, as metric `backup.ageHours` (instance = source key), judged by the rule's thresholds
// (default warning 26 h, critical 50 h). A configured source that has no verified backup at all
// reads NEVER_BACKED_UP_HOURS: a finite number (JSON has no Infinity) far past any sane critical
// limit, so "never backed up" is CRITICAL, not UNKNOWN. An unreadable backup directory is a
// probe error, and then every source is UNKNOWN — we do not know, so we do not say "fine".
//
// The same probe reads the drill log (`<backups.dir>/drills.jsonl`) and reports, per configured
// PostgreSQL source, the days since its last SUCCESSFUL restore drill as `backup.drillAgeDays`
// (default warning 35 d, critical 65 d: the manuals' monthly restore test). Never drilled, or
// never drilled successfully, reads NEVER_DRILLED_DAYS — the same "never" sentinel as
// NEVER_BACKED_UP_HOURS, CRITICAL under any sane limit. An unreadable drill log makes only the
// drill samples UNKNOWN (a problem line says why); the backup ages are still reported.
//
// Backups another tool writes (`backups.existing`) count as soon as opsdeck verified them (the facts
// in `<stateDir>/existing-backups.json`, see existing-facts.ts). Every backup whose latest
// verification FAILED — corrupt or truncated, opsdeck's own or another tool's — is counted per
// source as `backup.corruptCount` (default: critical at 1), for every configured source and every
// source that has existing backups.
//
// Imports stay light (fs, zod; no pg, no child processes): the probe is built for every console.
import type { OpsdeckConfig } from '../config/resolve.js';
import { runBounded } from '../probes/boundary.js';
import { ProbeFailure, type MetricSample, type Probe, type ProbeResult } from '../probes/types.js';
import { daysSinceDrill, drillSummaries, type DrillSummary } from './drill-log.js';
import { newestVerified, scanCatalog, type CatalogEntry } from './catalog.js';
import { factsPath } from './existing-facts.js';
import { sourceKey } from './types.js';
import { offsiteAges, readOffsiteState } from './offsite-state.js';

/** Age reported for a configured source without any verified backup (about 114 years). */
export const NEVER_BACKED_UP_HOURS = 999_999;

/**
 * Drill age reported for a configured database never drilled successfully: the same "never" sentinel as
 * NEVER_BACKED_UP_HOURS.
 */
export const NEVER_DRILLED_DAYS = NEVER_BACKED_UP_HOURS;

export interface BackupDrillSource {
  /** Source key (the database name). */
  source: string;
  /** Start of the newest successful drill (ms since epoch), or null when none passed. */
  lastOkAt: number | null;
  /** The newest drill, passed or failed, or null when the database was never drilled. */
  last: { at: number; ok: boolean; backup: string; message: string } | null;
  /** Days since lastOkAt (one decimal), NEVER_DRILLED_DAYS without one. */
  ageDays: number;
}

export interface BackupAgeSource {
  source: string;
  /** Newest verified backup, or null when there is none. */
  newest: { file: string; path: string; time: number; kind: string; size: number } | null;
  ageHours: number;
  /** Backups of the source in the catalog, verified or not. */
  count: number;
  /** Backups whose last verification failed or that have no sidecar. */
  unverified: number;
  /** Backups whose latest verification failed (corrupt or truncated). */
  corrupt: number;
}

export interface BackupAgeReading {
  dir: string;
  sources: BackupAgeSource[];
  /** Restore drills of every configured PostgreSQL source (empty when the drill log could not be read). */
  drills: BackupDrillSource[];
  /** Temp files of backups running now (or abandoned). */
  inProgress: number;
  /** With backups.offsite: per source, hours since its newest backup whose off-host copy is checked (null: none). */
  offsite?: { source: string; ageHours: number; newestFile: string | null }[];
  problems: string[];
}

export interface BackupAgeProbeOptions {
  now?: () => number;
  timeoutMs?: number;
}

/** The configured source keys: every database in backups.databases and every file set. */
export function configuredSources(cfg: Pick<OpsdeckConfig, 'backups'>): string[] {
  return [
    ...cfg.backups.databases.map((name) => sourceKey({ type: 'postgres', name })),
    ...cfg.backups.files.map((f) => sourceKey({ type: 'files', name: f.name })),
  ];
}

/** The drill row of one database from the drill log's summary. Pure. */
export function drillAge(source: string, s: DrillSummary | undefined, now: number): BackupDrillSource {
  const days = daysSinceDrill(s, now);
  return {
    source,
    lastOkAt: s?.lastOk ? Date.parse(s.lastOk.at) : null,
    last: s ? { at: Date.parse(s.last.at), ok: s.last.ok, backup: s.last.backup, message: s.last.message } : null,
    ageDays: Number.isFinite(days) ? Math.max(0, Math.round(days * 10) / 10) : NEVER_DRILLED_DAYS,
  };
}

const isCorrupt = (e: CatalogEntry): boolean => e.lastVerify !== undefined && !e.lastVerify.ok;
const isExisting = (e: CatalogEntry): boolean => e.origin === 'existing';

/** How often the backup probe reads (the catalog interval): the shortest of its rules' intervals, else 1 min. */
export function backupProbeInterval(cfg: Pick<OpsdeckConfig, 'rules'>): number {
  const intervals = [
    cfg.rules['backup.ageHours']?.interval,
    cfg.rules['backup.drillAgeDays']?.interval,
    cfg.rules['backup.corruptCount']?.interval,
    cfg.rules['backup.offsiteAgeHours']?.interval,
  ].filter((i): i is number => i !== undefined);
  return intervals.length > 0 ? Math.min(...intervals) : 60_000;
}

/** Creates the 'backup' probe for the config's backup directory and sources. */
export function createBackupAgeProbe(
  cfg: Pick<OpsdeckConfig, 'backups' | 'rules' | 'probeTimeout'> & { stateDir?: string },
  opts: BackupAgeProbeOptions = {},
): Probe<BackupAgeReading> {
  const now = opts.now ?? Date.now;
  const dir = cfg.backups.dir;
  const sources = configuredSources(cfg);
  // Drills restore databases: file sets have none.
  const databases = cfg.backups.databases.map((name) => sourceKey({ type: 'postgres', name }));
  const sample = (instance: string, value: number | null): MetricSample => ({
    metric: 'backup.ageHours',
    instance,
    value,
    unit: 'h',
  });
  const drillSample = (instance: string, value: number | null): MetricSample => ({
    metric: 'backup.drillAgeDays',
    instance,
    value,
    unit: 'd',
  });
  const corruptSample = (instance: string, value: number | null): MetricSample => ({
    metric: 'backup.corruptCount',
    instance,
    value,
    unit: '',
  });
  const existing = cfg.backups.existing ?? [];
  const facts = cfg.stateDir !== undefined && existing.length > 0 ? factsPath(cfg.stateDir) : undefined;
  // backup.offsiteAgeHours: only with backups.offsite; a source without a checked copy reads the "never" sentinel.
  const offsite = cfg.backups.offsite;
  const offsiteSample = (instance: string, value: number | null): MetricSample => ({
    metric: 'backup.offsiteAgeHours',
    instance,
    value,
    unit: 'h',
  });
  return {
    id: 'backup',
    interval: backupProbeInterval(cfg),
    read(signal): Promise<ProbeResult<BackupAgeReading>> {
      return runBounded(
        signal,
        {
          timeoutMs: opts.timeoutMs ?? Math.max(cfg.probeTimeout, 10_000),
          context: {
            what: `backup directory ${dir}`,
            hints: { auth: 'opsdeck needs read access to the backup directory' },
          },
          failureMetrics: () => [
            ...sources.map((s) => sample(s, null)),
            ...databases.map((d) => drillSample(d, null)),
            ...sources.map((s) => corruptSample(s, null)),
            ...(offsite ? sources.map((s) => offsiteSample(s, null)) : []),
          ],
        },
        async () => {
          const catalog = await scanCatalog(dir, undefined, { existing, ...(facts ? { facts } : {}) }).catch(
            (err: NodeJS.ErrnoException) => {
              throw err.code === 'EACCES' || err.code === 'EPERM'
                ? new ProbeFailure('auth', `permission denied reading ${dir}`)
                : err;
            },
          );
          const newest = newestVerified(catalog.entries);
          const t = now();
          const rows: BackupAgeSource[] = sources.map((source) => {
            const mine = catalog.entries.filter((e) => e.sourceKey === source);
            const n = newest.get(source);
            const ageHours = n ? Math.max(0, Math.round(((t - n.time) / 3_600_000) * 10) / 10) : NEVER_BACKED_UP_HOURS;
            return {
              source,
              newest: n ? { file: n.file, path: n.path, time: n.time, kind: n.kind, size: n.size } : null,
              ageHours,
              count: mine.length,
              unverified: mine.filter((e) => !e.verified).length,
              corrupt: mine.filter(isCorrupt).length,
            };
          });
          const corruptKeys = [...new Set([...sources, ...catalog.entries.filter(isExisting).map((e) => e.sourceKey)])];
          const problems = [...catalog.problems];
          let drills: BackupDrillSource[] | undefined;
          if (databases.length > 0) {
            try {
              const summaries = await drillSummaries(dir);
              drills = databases.map((d) => drillAge(d, summaries.get(d), t));
            } catch (err) {
              problems.push(`drill log unreadable: ${(err as Error).message}`);
            }
          }
          let offsiteRows: BackupAgeReading['offsite'];
          if (offsite) {
            try {
              offsiteRows = offsiteAges(await readOffsiteState(dir), offsite.remote, sources, t).map((a) => ({
                source: a.source,
                ageHours: a.ageHours ?? NEVER_BACKED_UP_HOURS,
                newestFile: a.newest?.file ?? null,
              }));
            } catch (err) {
              problems.push(`off-host copy state unreadable: ${(err as Error).message}`);
            }
          }
          return {
            reading: {
              dir,
              sources: rows,
              drills: drills ?? [],
              inProgress: catalog.partials.filter((p) => p.alive).length,
              problems,
              ...(offsiteRows ? { offsite: offsiteRows } : {}),
            },
            metrics: [
              ...rows.map((r) => sample(r.source, r.ageHours)),
              ...(drills
                ? drills.map((d) => drillSample(d.source, d.ageDays))
                : databases.map((d) => drillSample(d, null))),
              ...corruptKeys.map((k) =>
                corruptSample(k, catalog.entries.filter((e) => e.sourceKey === k && isCorrupt(e)).length),
              ),
              ...(offsite
                ? offsiteRows
                  ? offsiteRows.map((o) => offsiteSample(o.source, o.ageHours))
                  : sources.map((s) => offsiteSample(s, null))
                : []),
            ],
          };
        },
      );
    },
    async close() {
      // Nothing held between reads.
    },
  };
}
