// Shared vocabulary of the restore layer: preflight checks, the verification table, the state the
// database is in, and the plain-data snapshot the console's walkthrough renders. No I/O here.
import type { PlanResult, StepState } from '../plan/plan.js';
import type { BackupFormat } from '../backup/types.js';

/** pass = fine; warn = the operator should know but it does not stop; fail = stop, nothing changes. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One preflight check, e.g. the backup's checksum or the free space for the safety dump. */
export interface Check {
  id:
    | 'backup'
    | 'kind'
    | 'server'
    | 'privileges'
    | 'target'
    | 'owner'
    | 'space'
    | 'connections'
    | 'services'
    | 'verification'
    | 'scratch';
  title: string;
  status: CheckStatus;
  /** One line in words. */
  detail: string;
  /** Further lines (e.g. one per connection group), shown under the check. */
  lines?: string[];
}

/** What preflight learned about the backup file. */
export interface BackupFacts {
  path: string;
  format: BackupFormat;
  kind: 'full' | 'data' | 'files';
  /** Database the backup was taken from (sidecar), when known. */
  sourceDb?: string;
  sourceUser?: string;
  size: number;
  /** Uncompressed size of a plain dump, when recorded. */
  uncompressedSize?: number;
  /** Table → row count at dump time, from the sidecar. */
  rowCounts?: Record<string, number>;
  /** When the dump started (ISO), from the sidecar. */
  takenAt?: string;
  databaseSize?: number;
}

/** One row of the verification table: a table's row count or a configured query's answer. */
export interface ComparisonRow {
  /** `public.incidents`, or `query: SELECT count(*) FROM incidents`. */
  name: string;
  kind: 'table' | 'query';
  /** Recorded in the backup (or the configured `expect`); null when nothing was recorded. */
  expected: string | null;
  /** What the restored database says; null when the table is missing or the query failed. */
  actual: string | null;
  ok: boolean;
  note?: string;
}

/** The verification outcome: every row, and whether they all agree. */
export interface Comparison {
  rows: ComparisonRow[];
  ok: boolean;
  /** One line: "12 tables and 1 query match" or the first mismatch. */
  message: string;
}

/**
 * What the target database holds right now, in the words an operator needs at 3 a.m.:
 * untouched (never dropped), restored (from the backup, verified), rolled-back (the safety dump
 * is back, verified), unverified (data loaded but not proven), empty (recreated, nothing loaded),
 * absent (dropped, not recreated).
 */
export type DbStateKind = 'untouched' | 'restored' | 'rolled-back' | 'unverified' | 'empty' | 'absent';

export interface DbState {
  kind: DbStateKind;
  /** One plain sentence, naming the backup or safety dump involved. */
  text: string;
  /** The safety dump taken before the drop, if one was taken. */
  safetyDump?: string;
}

/** A question the engine needs answered before it goes on (the CLI prompt or the console dialog). */
export type ConfirmRequest =
  | { stage: 'start'; kind: 'yes'; question: string }
  | { stage: 'start' | 'drop'; kind: 'type'; question: string; expect: string }
  | { stage: 'rollback'; kind: 'yes'; question: string; failedStep: string; dbState: DbState; safetyDump: string };

export type RestorePhase = 'preflight' | 'confirming' | 'running' | 'undoing' | 'rolling-back' | 'done';

export type RestoreResult = PlanResult | 'declined';

/** Plain-data state of a whole restore, safe to put in a store; sent on every change. */
export interface RestoreSnapshot {
  backup: string;
  database: string;
  phase: RestorePhase;
  checks: Check[];
  /** The nine steps, in order, with status, command, output tail and progress. */
  steps: StepState[];
  /** Steps of the rollback or undo plan, once one runs. */
  recovery?: {
    action: 'restore.rollback' | 'restore.undo';
    steps: StepState[];
    result?: PlanResult;
    comparison?: Comparison;
  };
  /** The question waiting for an answer, while phase is 'confirming'. */
  pending?: ConfirmRequest;
  comparison?: Comparison;
  safetyDump?: string;
  db: DbState;
  result?: RestoreResult;
  /** What was done and what state everything is in, once over. */
  summary: string[];
  startedAt: number;
  durationMs?: number;
}
