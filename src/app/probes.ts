// Building the probes for a configuration: the host always, and each service target whose
// connection resolved. An absent target is not an error here — the caller reports it as
// `not_configured` (or `disabled`) from `config.origins`.
import { configuredSources, createBackupAgeProbe } from '../backup/age-probe.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import {
  createCertificatesProbe,
  createHostProbe,
  createHttpProbe,
  DockerProbe,
  PostgresProbe,
  RedisProbe,
  type Probe,
} from '../probes/index.js';

/** One probe per watched target: host, then docker, postgres, redis and backup when configured. */
export function createProbes(config: OpsdeckConfig, opts: { oneShot?: boolean } = {}): Probe[] {
  const timeout = config.probeTimeout;
  const probes: Probe[] = [createHostProbe(config, { processes: opts.oneShot !== true })];
  if (config.docker) probes.push(new DockerProbe(config.docker, timeout));
  if (config.postgres) probes.push(new PostgresProbe(config.postgres, timeout));
  if (config.redis) probes.push(new RedisProbe(config.redis, timeout));
  // HTTP endpoints in parallel, each at its own interval; certificate files at tls.daysLeft's interval.
  if (config.http.length > 0) probes.push(createHttpProbe(config.http, timeout));
  if (config.certificates.length > 0)
    probes.push(
      createCertificatesProbe(config.certificates, config.rules['tls.daysLeft']?.interval ?? 600_000, timeout),
    );
  // Backup age is a reading like any other: a missed backup turns the overview yellow, then red.
  if (configuredSources(config).length > 0 || config.backups.existing.length > 0)
    probes.push(createBackupAgeProbe(config));
  return probes;
}
