// The restore layer's public surface, for the CLI and the console's walkthrough and Backups view.
// Walkthrough: appServices() → prepareRestore() (preflight; `restore` only when every check
// passed) → executeRestore() with a confirm callback and onUpdate snapshots (RestoreSnapshot is
// plain data: put it in the store as is). Drill: runDrill() with onUpdate (DrillSnapshot).
// File sets: prepareFileRestore() (preflight; `restore.plan` only when every check passed) →
// executePlan() of the plan kernel (its epilogue puts the safety copy back on any failure).
export { appServices, type AppServices } from './app-services.js';
export {
  DRILL_LOG,
  daysSinceDrill,
  drillLogPath,
  drillSummaries,
  readDrills,
  summarizeDrills,
  type DrillRecord,
  type DrillSummary,
} from '../backup/drill-log.js';
export { runDrill, scratchName, sweepStaleScratch, type DrillOptions, type DrillSnapshot } from './drill.js';
export { accepts, executeRestore, type ExecuteRestoreOptions } from './execute.js';
export { formatChecks, formatDrillLine, formatStepLine, formatStepProgress } from './format.js';
export {
  prepareRestore,
  recordPreflightRefusal,
  rollbackPlan,
  safetyRootFor,
  SAFETY_DIR,
  undoPlan,
  type RestoreOptions,
  type RestorePlan,
} from './plan.js';
export { preflightRestore, type PreflightOptions, type PreflightReport } from './preflight.js';
export {
  prepareFileRestore,
  recordFileRefusal,
  verifyTree,
  type FileCheck,
  type FileRestoreOptions,
  type FileRestorePlan,
} from './files/plan.js';
export { fileRestoreConfig, resolveFileSource, type FileRestoreConfig, type FileSource } from './files/source.js';
export { dbStateOf } from './state.js';
export type {
  BackupFacts,
  Check,
  CheckStatus,
  Comparison,
  ComparisonRow,
  ConfirmRequest,
  DbState,
  DbStateKind,
  RestorePhase,
  RestoreResult,
  RestoreSnapshot,
} from './types.js';
export { formatComparison, type VerifyQuery } from './verify-data.js';
