// What the Backups view and the restore walkthrough need from the rest of opsdeck: the backup
// directory, the server to restore and drill on, the action layer (guard, audit) and the
// application services. Built once per console from the config; tests build their own. The
// layers behind it (pg_dump, the service drivers) are loaded when first used.
import type { AuditSink } from '../plan/audit.js';
import type { PlanGuard } from '../plan/guard.js';
import type { ServiceDeps } from '../actions/services.js';
import type { BackupSelection } from '../backup/from-config.js';
import type { PgTarget } from '../backup/pg-tools.js';
import type { ExistingDir } from '../backup/existing.js';
import { factsPath } from '../backup/existing-facts.js';
import type { BackupPlan } from '../backup/plans.js';
import { retentionPolicy, type RetentionPolicy } from '../backup/retention.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import type { OffsiteConfig } from '../config/schema.js';
import type { AppServices } from '../restore/app-services.js';
import type { FileRestoreConfig } from '../restore/files/source.js';
import type { VerifyQuery } from '../restore/verify-data.js';

export interface BackupsDeps {
  /** The backup root (backups.dir). */
  dir: string;
  /** Directories of another tool's backups (backups.existing): listed in the catalog, never written to. */
  existing?: readonly ExistingDir[];
  /** What opsdeck learned about them (factsPath(config.stateDir)); without it they are listed only. */
  factsFile?: string;
  /** The PostgreSQL server as a superuser, for drills and restores; null when none is configured. */
  conn: PgTarget | null;
  verifyQueries: readonly VerifyQuery[];
  retention: RetentionPolicy;
  guard: PlanGuard;
  audit: AuditSink;
  /** The backup plans of every configured source; rejects with SelectionError when nothing is configured. */
  backupPlans(onProgress: NonNullable<BackupSelection['onProgress']>): Promise<BackupPlan[]>;
  /** The application services a restore stops and starts again. */
  services(): Promise<AppServices>;
  /** What a file-set restore reads (backups.files, backups.existing[].restore, services); none: it says so. */
  files?: FileRestoreConfig;
  /** The service drivers' dependencies (a Docker client), for the services a file-set restore stops. */
  serviceDeps?: () => Promise<ServiceDeps>;
  /** Environment for pg_dump, psql and pg_restore (tests point PATH or PG* here). */
  env?: NodeJS.ProcessEnv;
  /** Off-host copies (backups.offsite): states in the catalog; remote-only backups are fetched to drill or restore. */
  offsite?: OffsiteConfig;
}

/** The Backups dependencies of a console: its config plus the console's one guard and audit trail. */
export function backupsDepsFromConfig(
  config: OpsdeckConfig,
  layer: { guard: BackupsDeps['guard']; audit: AuditSink; serviceDeps?: () => Promise<ServiceDeps> },
): BackupsDeps {
  return {
    dir: config.backups.dir,
    existing: config.backups.existing,
    factsFile: factsPath(config.stateDir),
    ...(config.backups.offsite ? { offsite: config.backups.offsite } : {}),
    conn: config.postgres ?? null,
    verifyQueries: config.backups.verifyQueries,
    retention: retentionPolicy(config.backups.retention),
    guard: layer.guard,
    audit: layer.audit,
    backupPlans: async (onProgress) =>
      (await import('../backup/from-config.js')).plansFromConfig(config, { onProgress }),
    files: {
      files: config.backups.files,
      existing: config.backups.existing,
      services: config.services,
      ...(config.startOrder ? { startOrder: config.startOrder } : {}),
      backupDir: config.backups.dir,
    },
    ...(layer.serviceDeps ? { serviceDeps: layer.serviceDeps } : {}),
    services: async () => {
      const [{ appServices }, deps] = await Promise.all([
        import('../restore/app-services.js'),
        layer.serviceDeps?.() ?? {},
      ]);
      return appServices(config.services, config.startOrder, deps);
    },
  };
}

/** The existing directories and facts of the console (for preflight), with opsdeck's own root kept sidecar-only. */
export function existingOf(
  deps: Pick<BackupsDeps, 'dir' | 'existing' | 'factsFile'>,
): { dirs: NonNullable<BackupsDeps['existing']>; factsFile: string; ownRoot: string } | undefined {
  return deps.factsFile && deps.existing?.length
    ? { dirs: deps.existing, factsFile: deps.factsFile, ownRoot: deps.dir }
    : undefined;
}
