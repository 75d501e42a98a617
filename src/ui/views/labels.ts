// Operator-facing names for metric ids: "host.cpu" → "cpu", "host.disk" on "/var" → "disk /var".
const NAMES: Record<string, string> = {
  'host.cpu': 'cpu',
  'host.memory': 'memory',
  'host.swap': 'swap',
  'host.disk': 'disk',
  'host.network': 'network',
  'postgres.connections': 'pg connections',
  'postgres.reachable': 'pg reachable',
  'postgres.cacheHitRatio': 'pg cache hit',
  'postgres.longestQuerySeconds': 'pg longest query',
  'postgres.waitingLocks': 'pg waiting locks',
  'postgres.replicationLagSeconds': 'pg replication lag',
  'postgres.walArchiveAgeSeconds': 'pg WAL archive age',
  'postgres.walArchiveFailing': 'pg WAL archiving',
  'redis.reachable': 'redis reachable',
  'redis.memory': 'redis memory',
  'redis.clients': 'redis clients',
  'redis.hitRatio': 'redis hit ratio',
  'redis.evictionsPerSecond': 'redis evictions',
  'redis.rdbLastSaveFailed': 'redis rdb save',
  'docker.reachable': 'docker reachable',
  'docker.unhealthy': 'unhealthy',
  'docker.restarts': 'restarts',
  'backup.ageHours': 'backup age',
  'backup.drillAgeDays': 'last drill',
  'backup.corruptCount': 'corrupt backups',
  'backup.offsiteAgeHours': 'off-host copy',
  'http.up': 'endpoint up',
  'http.latencyMs': 'endpoint latency',
  'tls.daysLeft': 'certificate expires in',
};

/** A short name for a metric instance as the alerts strip and the timeline show it. */
export function metricLabel(metric: string, instance: string): string {
  const name = NAMES[metric] ?? metric;
  return instance ? `${name} ${instance}` : name;
}

/** The display title of a target id. */
export function targetTitle(target: string): string {
  return target === 'postgres'
    ? 'PostgreSQL'
    : target === 'redis'
      ? 'Redis'
      : target === 'docker'
        ? 'Docker'
        : target === 'host'
          ? 'Host'
          : target === 'http'
            ? 'Endpoints'
            : target === 'certificates'
              ? 'Certificates'
              : target;
}
