// Realistic readings for view tests: a busy web host, three containers (one unhealthy and
// restarting), a PostgreSQL with a long query and a waiting lock, a Redis near maxmemory.
import { mergeRules } from '../../src/config/resolve.js';
import { dockerMetrics, type DockerReading } from '../../src/probes/docker.js';
import { hostMetrics, type HostReading } from '../../src/probes/host.js';
import { pgMetrics, type PgReading } from '../../src/probes/postgres.js';
import { redisMetrics, type RedisReading } from '../../src/probes/redis.js';
import type { MetricSample, ProbeError } from '../../src/probes/types.js';
import { createOpsStore, type OpsStore } from '../../src/state/store.js';

export const T0 = Date.UTC(2025, 0, 15, 3, 0, 0);
const GB = 1e9;

export function hostReading(cpu = 42): HostReading {
  return {
    hostname: 'web-01',
    uptimeSeconds: 3 * 86400,
    cpu: { percent: cpu, perCore: [cpu, cpu, cpu, cpu] },
    load: { one: 1.2, five: 0.9, fifteen: 0.7 },
    memory: { totalBytes: 16 * GB, availableBytes: 6 * GB, usedBytes: 10 * GB, percent: 62.5 },
    swap: { totalBytes: 2 * GB, usedBytes: 0.1 * GB, percent: 5 },
    disks: [
      {
        mount: '/',
        device: '/dev/sda1',
        fsType: 'ext4',
        totalBytes: 100 * GB,
        usedBytes: 45 * GB,
        availableBytes: 55 * GB,
        percent: 45,
      },
      {
        mount: '/var/lib/postgresql',
        device: '/dev/sdb1',
        fsType: 'xfs',
        totalBytes: 500 * GB,
        usedBytes: 380 * GB,
        availableBytes: 120 * GB,
        percent: 76,
      },
    ],
    network: [{ name: 'eth0', rxBytesPerSec: 1.5e6, txBytesPerSec: 3.2e6, speedMbps: 1000, percent: 2.6 }],
    processes: {
      at: T0,
      byCpu: [
        {
          pid: 1201,
          name: 'postgres',
          command: 'postgres: checkpointer',
          cpuPercent: 35,
          memoryBytes: 1.2 * GB,
          memoryPercent: 7.5,
        },
        {
          pid: 880,
          name: 'node',
          command: 'node /srv/itsm/server.js --port 3000',
          cpuPercent: 12,
          memoryBytes: 0.4 * GB,
          memoryPercent: 2.5,
        },
      ],
      byMemory: [
        {
          pid: 1500,
          name: 'redis-server',
          command: 'redis-server 127.0.0.1:6379',
          cpuPercent: 1,
          memoryBytes: 2 * GB,
          memoryPercent: 12.5,
        },
      ],
    },
  };
}

export function dockerReading(): DockerReading {
  const base = { memoryLimitBytes: 2 * GB, statsAt: T0, startedAt: T0 - 3600_000 };
  return {
    engine: { version: '27.1.1', apiVersion: '1.46', os: 'linux', arch: 'amd64' },
    containers: [
      {
        ...base,
        id: 'a1b2c3d4e5f6',
        name: 'itsm-backend',
        image: 'itsm/backend:2.4.1',
        state: 'running',
        status: 'Up 1 hour (healthy)',
        health: 'healthy',
        restartCount: 0,
        uptimeSeconds: 3600,
        cpuPercent: 23.5,
        memoryBytes: 512e6,
        memoryPercent: 25.6,
      },
      {
        ...base,
        id: 'b2c3d4e5f6a1',
        name: 'itsm-worker',
        image: 'itsm/worker:2.4.1',
        state: 'running',
        status: 'Up 2 minutes (unhealthy)',
        health: 'unhealthy',
        restartCount: 12,
        uptimeSeconds: 120,
        cpuPercent: 88.1,
        memoryBytes: 1.5e9,
        memoryPercent: 75,
      },
      {
        ...base,
        id: 'c3d4e5f6a1b2',
        name: 'itsm-nginx-reverse-proxy-with-a-very-long-name',
        image: 'nginx:1.27-alpine',
        state: 'exited',
        status: 'Exited (0) 5 minutes ago',
        health: 'none',
        restartCount: 0,
        uptimeSeconds: null,
        cpuPercent: null,
        memoryBytes: null,
        memoryPercent: null,
        startedAt: null,
      },
    ],
    counts: { total: 3, running: 2, stopped: 1, unhealthy: 1 },
  };
}

export function pgReading(total = 42): PgReading {
  return {
    version: '16.4',
    startedAt: T0 - 86400_000,
    uptimeSeconds: 86400,
    connections: { total, max: 100, percent: total, byState: { active: 3, idle: total - 4, 'idle in transaction': 1 } },
    cacheHitRatio: 99.1,
    longQueries: [
      {
        pid: 4242,
        user: 'itsm',
        database: 'itsm_db',
        app: 'psql',
        seconds: 754,
        state: 'active',
        query: "SELECT count(*)\n  FROM incidents i JOIN users u ON u.id = i.assignee_id WHERE i.status = 'open'",
      },
    ],
    blockingTree: [
      {
        pid: 4242,
        user: 'itsm',
        app: 'psql',
        state: 'active',
        seconds: 754,
        query: 'SELECT count(*) FROM incidents',
        blockedBy: [],
        children: [
          {
            pid: 4300,
            user: 'itsm',
            app: 'migrate',
            state: 'active',
            seconds: 33,
            query: 'ALTER TABLE incidents ADD COLUMN sla_due timestamptz',
            blockedBy: [4242],
            children: [],
          },
        ],
      },
    ],
    waitingLocks: [
      {
        pid: 4300,
        user: 'itsm',
        database: 'itsm_db',
        locktype: 'relation',
        mode: 'AccessExclusiveLock',
        relation: 'incidents',
        blockedBy: [4242],
        seconds: 33,
        query: 'ALTER TABLE incidents ADD COLUMN sla_due timestamptz',
      },
    ],
    databases: [
      { name: 'itsm_db', sizeBytes: 3.4 * GB },
      { name: 'postgres', sizeBytes: 8e6 },
    ],
    databasesAt: T0,
    replication: { role: 'primary', lagSeconds: null, replicas: [] },
    wal: {
      archiving: false,
      mode: 'off',
      archived: 0,
      lastArchivedWal: null,
      lastArchivedAt: null,
      failed: 0,
      lastFailedWal: null,
      lastFailedAt: null,
      failing: false,
      ageSeconds: null,
    },
  };
}

export function redisReading(): RedisReading {
  return {
    version: '7.2.5',
    mode: 'standalone',
    role: 'master',
    replication: { role: 'master', masterHost: null, linkStatus: null, connectedReplicas: 0 },
    uptimeSeconds: 7200,
    memory: { usedBytes: 58e6, maxBytes: 64e6, percent: 90.6, policy: 'allkeys-lru' },
    hitRatio: 93.2,
    evictedKeys: 1200,
    evictionsPerSecond: 4,
    clients: { connected: 57, max: 10000, percent: 0.6, rejected: 0, blocked: 2 },
    persistence: {
      rdbLastSaveOk: true,
      rdbLastSaveAt: T0 - 120_000,
      rdbChangesSinceSave: 340,
      rdbSaving: false,
      aofEnabled: false,
      aofState: 'off',
    },
    keyspace: [
      { db: 0, keys: 18000, expires: 9000 },
      { db: 1, keys: 40, expires: 0 },
    ],
  };
}

export const rules = mergeRules(
  {
    'host.cpu': { sustain: 0 },
    'postgres.connections': { sustain: 0 },
    'redis.memory': { sustain: 0 },
    'redis.evictionsPerSecond': { sustain: 0 },
  },
  'test',
);

type Origins = Parameters<typeof createOpsStore>[0]['origins'];
const allConfigured: Origins = {
  host: 'configured',
  docker: 'configured',
  postgres: 'configured',
  redis: 'configured',
};

function ok<R>(reading: R, metrics: MetricSample[], at: number) {
  return { ok: true as const, at, latencyMs: 5, reading, metrics };
}

/** A store after a few rounds of reads of every target (history for sparklines, a CPU alert). */
export function filledStore(opts: { origins?: Origins; readOnly?: boolean; rounds?: number } = {}): OpsStore {
  const store = createOpsStore({ rules, origins: opts.origins ?? allConfigured, readOnly: opts.readOnly ?? false });
  const rounds = opts.rounds ?? 6;
  for (let i = 0; i < rounds; i++) {
    const at = T0 - (rounds - i) * 2000;
    const cpu = i === rounds - 1 ? 91 : 30 + i * 5;
    const apply = store.getState().applyResult;
    const h = hostReading(cpu);
    apply('host', ok(h, hostMetrics(h), at), at);
    const origins = store.getState().targets;
    if (origins.docker?.origin === 'configured')
      apply('docker', ok(dockerReading(), dockerMetrics(dockerReading()), at), at);
    if (origins.postgres?.origin === 'configured')
      apply('postgres', ok(pgReading(40 + i), pgMetrics(pgReading(40 + i)), at), at);
    if (origins.redis?.origin === 'configured')
      apply('redis', ok(redisReading(), redisMetrics(redisReading()), at), at);
  }
  return store;
}

/** Records a failed read of `target` at `at`. */
export function failTarget(
  store: OpsStore,
  target: string,
  at: number,
  error: ProbeError = { kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
): void {
  store.getState().applyResult(target, { ok: false, at, latencyMs: 3, error, metrics: [] }, at);
}
