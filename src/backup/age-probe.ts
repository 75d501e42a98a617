// The backup-age probe: for every configured source, the age in hours of its newest VERIFIED
// backup, as metric `backup.ageHours` (instance = source key), judged by the rule's thresholds
// (default warning 26 h, critical 50 h). A configured source that has no verified backup at all
// reads NEVER_BACKED_UP_HOURS: a finite number (JSON has no Infinity) far past any sane critical
// limit, so "never backed up" is CRITICAL, not UNKNOWN. An unreadable backup directory is a
// probe error, and then every source is UNKNOWN — we do not know, so we do not say "fine".
import type { OpsdeckConfig } from '../config/resolve.js';
import { runBounded } from '../probes/boundary.js';
import { ProbeFailure, type MetricSample, type Probe, type ProbeResult } from '../probes/types.js';
import { newestVerified, scanCatalog } from './catalog.js';
import { sourceKey } from './types.js';

/** Age reported for a configured source without any verified backup (about 114 years). */
export const NEVER_BACKED_UP_HOURS = 999_999;

export interface BackupAgeSource {
  source: string;
  /** Newest verified backup, or null when there is none. */
  newest: { file: string; path: string; time: number; kind: string; size: number } | null;
  ageHours: number;
  /** Backups of the source in the catalog, verified or not. */
  count: number;
  /** Backups whose last verification failed or that have no sidecar. */
  unverified: number;
}

export interface BackupAgeReading {
  dir: string;
  sources: BackupAgeSource[];
  /** Temp files of backups running now (or abandoned). */
  inProgress: number;
  problems: string[];
}

export interface BackupAgeProbeOptions {
  now?: () => number;
  timeoutMs?: number;
}

/** The configured source keys: every database in backups.databases and every file set. */
export function configuredSources(cfg: Pick<OpsdeckConfig, 'backups'>): string[] {
  return [...cfg.backups.databases.map((name) => sourceKey({ type: 'postgres', name })), ...cfg.backups.files.map((f) => sourceKey({ type: 'files', name: f.name }))];
}

/** Creates the 'backup' probe for the config's backup directory and sources. */
export function createBackupAgeProbe(cfg: Pick<OpsdeckConfig, 'backups' | 'rules' | 'probeTimeout'>, opts: BackupAgeProbeOptions = {}): Probe<BackupAgeReading> {
  const now = opts.now ?? Date.now;
  const dir = cfg.backups.dir;
  const sources = configuredSources(cfg);
  const sample = (instance: string, value: number | null): MetricSample => ({ metric: 'backup.ageHours', instance, value, unit: 'h' });
  return {
    id: 'backup',
    interval: cfg.rules['backup.ageHours']?.interval ?? 60_000,
    read(signal): Promise<ProbeResult<BackupAgeReading>> {
      return runBounded(
        signal,
        {
          timeoutMs: opts.timeoutMs ?? Math.max(cfg.probeTimeout, 10_000),
          context: { what: `backup directory ${dir}`, hints: { auth: 'opsdeck needs read access to the backup directory' } },
          failureMetrics: () => sources.map((s) => sample(s, null)),
        },
        async () => {
          const catalog = await scanCatalog(dir).catch((err: NodeJS.ErrnoException) => {
            throw err.code === 'EACCES' || err.code === 'EPERM' ? new ProbeFailure('auth', `permission denied reading ${dir}`) : err;
          });
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
            };
          });
          return {
            reading: { dir, sources: rows, inProgress: catalog.partials.filter((p) => p.alive).length, problems: catalog.problems },
            metrics: rows.map((r) => sample(r.source, r.ageHours)),
          };
        },
      );
    },
    async close() {
      // Nothing held between reads.
    },
  };
}
