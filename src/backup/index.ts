// The backup layer's public surface (no ink, no react): jobs and plans that back up, verify and
// publish; the catalog; retention and pruning; the backup-age probe. See README.md beside this file.
export {
  createBackupAgeProbe,
  configuredSources,
  drillAge,
  NEVER_BACKED_UP_HOURS,
  NEVER_DRILLED_DAYS,
  type BackupAgeReading,
  type BackupAgeSource,
  type BackupDrillSource,
} from './age-probe.js';
export { alignRows, catalogJson, catalogRows, drillWord, type DrillSummaries } from './catalog-format.js';
export { newestVerified, scanCatalog, type Catalog, type CatalogEntry, type PartialFile } from './catalog.js';
export { fileBackupJob, type FileBackupOptions } from './file-backup.js';
export { plansFromConfig, SelectionError, type BackupSelection } from './from-config.js';
export { runBackupJob, type BackupJob, type BackupRecord, type RunOptions } from './job.js';
export { backupFileName, parseBackupFileName, SAFETY_DIR, safetyRootFor, sourceDir } from './naming.js';
export { pgBackupJob, type PgBackupOptions } from './pg-backup.js';
export { findPgTool, pgChildEnv, pgDumpArgs, type PgTarget } from './pg-tools.js';
export {
  fileBackupPlan,
  pgBackupPlan,
  prunePlan,
  verifyPlan,
  type BackupPlan,
  type BackupPlanOptions,
  type VerifyPlan,
} from './plans.js';
export { estimateSize, freeBytes, type SizeEstimate } from './preflight.js';
export { formatProgress } from './progress.js';
export { deleteBackup, deleteSafetyDump, formatPruneReport, pruneReport, type PruneReport } from './prune.js';
export {
  describePolicy,
  planPrune,
  planSafetyPrune,
  retentionPolicy,
  SAFETY_KEEP_DAYS,
  SAFETY_KEEP_NEWEST,
  SAFETY_MIN_AGE_MS,
  type PruneDecision,
  type RetentionPolicy,
} from './retention.js';
export { readSidecar, type Sidecar } from './sidecar.js';
export {
  BackupError,
  sourceKey,
  type BackupFailure,
  type BackupFormat,
  type BackupKind,
  type BackupProgress,
  type BackupSource,
  type VerifyCheck,
  type VerifyResult,
} from './types.js';
export { verifyBackup, type VerifyOptions, type VerifyReport } from './verify.js';
