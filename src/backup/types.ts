// Shared vocabulary of the backup layer: what a backup is, how progress is reported and how a
// failure is typed. No I/O here.
import { ActionError, type ActionErrorKind } from '../plan/errors.js';

/** full = schema and data (pg_dump), data = data only (`--data-only`, the manual's "diff"), files = tar.gz. */
export type BackupKind = 'full' | 'data' | 'files';

/**
 * plain = `pg_dump | gzip` (.sql.gz), custom = `pg_dump -Fc` (.dump), tar = tar.gz of a file set,
 * file = one file copied as it is (only in another tool's directory: the knowledge manual's `env.production_TS`).
 */
export type BackupFormat = 'plain' | 'custom' | 'tar' | 'file';

/** What was backed up: one database of the configured server, or one configured file set. */
export type BackupSource = { type: 'postgres'; name: string } | { type: 'files'; name: string };

/** The key a source is known by in the catalog, the probe (instance) and retention: `db` or `files:name`. */
export function sourceKey(source: BackupSource): string {
  return source.type === 'postgres' ? source.name : `files:${source.name}`;
}

export type BackupPhase = 'preflight' | 'dump' | 'verify' | 'publish';

/** Progress of one backup, sent a few times a second. */
export interface BackupProgress {
  phase: BackupPhase;
  /** Bytes read from the source (uncompressed dump or file contents); for -Fc the bytes pg_dump wrote. */
  bytesIn: number;
  /** Bytes written to the backup file so far. */
  bytesWritten: number;
  elapsedMs: number;
  /** bytesIn per second since the start. */
  rate: number;
}

export type ProgressFn = (p: BackupProgress) => void;

/** One check of a verification, e.g. the checksum or the dump's completion marker. */
export interface VerifyCheck {
  name: 'sha256' | 'size' | 'gzip' | 'marker' | 'pg_restore' | 'tar';
  ok: boolean;
  detail: string;
}

/** The outcome of verifying a backup file. */
export interface VerifyResult {
  ok: boolean;
  /** ISO time of the verification. */
  at: string;
  checks: VerifyCheck[];
  /** One line: "verified" or the first failed check. */
  message: string;
}

/** Why a backup failed, finer than the action layer's kinds. */
export type BackupFailure = 'no_space' | 'dump_failed' | 'verify_failed' | 'cancelled' | 'io' | 'config' | 'source';

const ACTION_KIND: Record<BackupFailure, ActionErrorKind> = {
  no_space: 'refused',
  dump_failed: 'command_failed',
  verify_failed: 'failed',
  cancelled: 'cancelled',
  io: 'failed',
  config: 'refused',
  source: 'not_found',
};

/** A failed backup; it is an ActionError so plans and the audit trail classify it. Never holds a secret. */
export class BackupError extends ActionError {
  override name = 'BackupError';
  constructor(
    public readonly failure: BackupFailure,
    message: string,
  ) {
    super(ACTION_KIND[failure], message);
  }
}

/** Builds the final VerifyResult from its checks. */
export function verifyResult(checks: VerifyCheck[], at = new Date()): VerifyResult {
  const bad = checks.find((c) => !c.ok);
  return { ok: !bad, at: at.toISOString(), checks, message: bad ? `${bad.name}: ${bad.detail}` : 'verified' };
}
