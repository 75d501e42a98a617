// Which backups the configuration asks for, as plans — shared by `opsdeck backup` and the
// console's Backups view so both back up the same things the same way.
import type { OpsdeckConfig } from '../config/resolve.js';
import { fileBackupPlan, pgBackupPlan, type BackupPlan } from './plans.js';
import type { BackupProgress } from './types.js';

export interface BackupSelection {
  /** Databases to back up; undefined = backups.databases (unless `files` names some). */
  databases?: string[];
  /** File sets to back up; undefined = all of backups.files (unless `databases` names some). */
  files?: string[];
  kind?: 'full' | 'data';
  /** Default: backups.format. */
  format?: 'plain' | 'custom';
  skipPreflight?: boolean;
  /** Base environment for pg_dump. */
  env?: NodeJS.ProcessEnv;
  /** Progress per source key. */
  onProgress?: (sourceKey: string, p: BackupProgress) => void;
}

/** Thrown for a selection the config cannot satisfy; the message is one line for the operator. */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

/** The backup plans for a selection (all configured sources by default), databases first. */
export function plansFromConfig(
  config: Pick<OpsdeckConfig, 'backups' | 'postgres'>,
  sel: BackupSelection = {},
): BackupPlan[] {
  const b = config.backups;
  const named = sel.databases !== undefined || sel.files !== undefined;
  const dbs = sel.databases ?? (named ? [] : b.databases);
  const sets = sel.files ?? (named ? [] : b.files.map((f) => f.name));
  if (dbs.length + sets.length === 0)
    throw new SelectionError(
      'nothing to back up: configure backups.databases or backups.files, or pass --db NAME / --files NAME',
    );
  const pg = config.postgres;
  if (dbs.length > 0 && !pg)
    throw new SelectionError(`no PostgreSQL target is configured (targets.postgres) to back up ${dbs.join(', ')} from`);
  const unknown = sets.filter((s) => !b.files.some((f) => f.name === s));
  if (unknown.length > 0)
    throw new SelectionError(
      `unknown file set ${unknown.join(', ')}; configured: ${b.files.map((f) => f.name).join(', ') || 'none'}`,
    );
  const planOpts = { skipPreflight: sel.skipPreflight === true };
  const progress = (key: string) =>
    sel.onProgress ? { onProgress: (p: BackupProgress) => sel.onProgress!(key, p) } : {};
  return [
    ...dbs.map((database) =>
      pgBackupPlan(
        {
          root: b.dir,
          target: { ...pg!, database },
          kind: sel.kind ?? 'full',
          format: sel.format ?? b.format,
          ...(sel.env ? { env: sel.env } : {}),
          ...progress(database),
        },
        planOpts,
      ),
    ),
    ...sets.map((name) =>
      fileBackupPlan(
        { root: b.dir, name, paths: b.files.find((f) => f.name === name)!.paths, ...progress(`files:${name}`) },
        planOpts,
      ),
    ),
  ];
}
