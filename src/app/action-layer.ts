// The action layer of one process: the read-only guard and the audit trail, built from the
// configuration in one place for every CLI command and the console. The secrets the audit trail
// scrubs are listed here and nowhere else.
import type { OpsdeckConfig } from '../config/resolve.js';
import { AuditLog, type AuditSink } from '../plan/audit.js';
import { ActionGuard } from '../plan/guard.js';

/** Every secret the configuration resolved (passwords from the environment, URLs' credentials). */
export function configSecrets(config: Pick<OpsdeckConfig, 'postgres' | 'redis'>): string[] {
  return [config.postgres?.password, config.redis?.password].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

export interface ActionLayer {
  guard: ActionGuard;
  audit: AuditSink;
}

export interface ActionLayerOptions {
  env?: NodeJS.ProcessEnv;
  /** Lapse arming by a timer (the console) or only when asked (a one-shot command). Default true. */
  timer?: boolean;
}

/** The guard and the audit trail (0600, secrets scrubbed) for `config`. */
export function createActionLayer(
  config: Pick<OpsdeckConfig, 'readOnly' | 'auditPath' | 'postgres' | 'redis'>,
  opts: ActionLayerOptions = {},
): ActionLayer {
  const audit = new AuditLog({
    path: config.auditPath,
    secrets: configSecrets(config),
    ...(opts.env ? { env: opts.env } : {}),
  });
  return {
    audit,
    guard: new ActionGuard({ readOnly: config.readOnly, audit, ...(opts.timer === false ? { timer: false } : {}) }),
  };
}
