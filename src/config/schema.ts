// The configuration schema: one zod schema that validates the YAML and fills in defaults.
// Defaults are the documented thresholds of SPEC §1; every value can be overridden.
import ms from 'ms';
import { z } from 'zod';

/** A duration written as `90s`, `5m`, `2h`, `500ms` or a number of milliseconds. */
export const duration = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(value.trim()) ? ms(value.trim() as ms.StringValue) : undefined;
    if (parsed === undefined || Number.isNaN(parsed)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "30s", "5m", "2h" or "1d", got "${value}"` });
      return z.NEVER;
    }
    return parsed;
  });

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the NAME of an environment variable (letters, digits, _), not its value');

/** One threshold rule: warn/crit limits, the direction of a breach, sampling and sustain. */
export const ruleSchema = z.strictObject({
  /** Limits: a value AT a limit counts as a breach (>= for above, <= for below). */
  warn: z.number(),
  crit: z.number(),
  direction: z.enum(['above', 'below']).default('above'),
  interval: duration.optional(),
  sustain: duration.prefault(0),
  enabled: z.boolean().default(true),
});
export type RuleConfig = z.infer<typeof ruleSchema>;

/** An override in `thresholds:`: only the keys given replace the default rule's (no defaults here). */
const ruleOverrideSchema = z.strictObject({
  warn: z.number().optional(),
  crit: z.number().optional(),
  direction: z.enum(['above', 'below']).optional(),
  interval: duration.optional(),
  sustain: duration.optional(),
  enabled: z.boolean().optional(),
});
type RuleInput = z.input<typeof ruleSchema>;

/** Defaults: SPEC §1 for the documented five, our own (configurable) for the rest. */
export const DEFAULT_RULES = {
  // Documented (ITSM manual §4): CPU 70/85 (1 min), memory 80/90 (1 min), disk 70/85 (5 min),
  // network 70/85 of link speed (1 min), DB connections 80/90 of max_connections (1 min).
  // Sustain windows follow the manual's alert rules (`for: 5m` for CPU and the connection pool).
  'host.cpu': { warn: 70, crit: 85, interval: '2s', sustain: '5m' },
  'host.memory': { warn: 80, crit: 90, interval: '2s', sustain: '2m' },
  'host.swap': { warn: 50, crit: 80, interval: '2s', sustain: '2m' },
  'host.disk': { warn: 70, crit: 85, interval: '30s', sustain: 0 },
  'host.network': { warn: 70, crit: 85, interval: '2s', sustain: '2m' },
  'postgres.connections': { warn: 80, crit: 90, interval: '2s', sustain: '5m' },
  'postgres.reachable': { warn: 0, crit: 0, direction: 'below', interval: '2s', sustain: 0 },
  'postgres.cacheHitRatio': { warn: 95, crit: 90, direction: 'below', interval: '2s', sustain: '5m' },
  'postgres.longestQuerySeconds': { warn: 60, crit: 300, interval: '2s', sustain: 0 },
  'postgres.waitingLocks': { warn: 1, crit: 5, interval: '2s', sustain: '1m' },
  'postgres.replicationLagSeconds': { warn: 30, crit: 300, interval: '2s', sustain: '1m' },
  'redis.reachable': { warn: 0, crit: 0, direction: 'below', interval: '2s', sustain: 0 },
  'redis.memory': { warn: 80, crit: 90, interval: '2s', sustain: '1m' },
  'redis.clients': { warn: 80, crit: 90, interval: '2s', sustain: '1m' },
  'redis.hitRatio': { warn: 80, crit: 50, direction: 'below', interval: '2s', sustain: '5m', enabled: false },
  'redis.evictionsPerSecond': { warn: 1, crit: 100, interval: '2s', sustain: '1m' },
  'redis.rdbLastSaveFailed': { warn: 1, crit: 1, interval: '2s', sustain: 0 },
  'docker.reachable': { warn: 0, crit: 0, direction: 'below', interval: '2s', sustain: 0 },
  'docker.unhealthy': { warn: 1, crit: 1, interval: '2s', sustain: 0 },
  'docker.restarts': { warn: 3, crit: 10, interval: '2s', sustain: 0 },
  'backup.ageHours': { warn: 26, crit: 50, interval: '1m', sustain: 0 },
  // Days since the last successful restore drill per database: the manuals' monthly restore test.
  'backup.drillAgeDays': { warn: 35, crit: 65, interval: '1m', sustain: 0 },
} satisfies Record<string, RuleInput>;
export type MetricId = keyof typeof DEFAULT_RULES;

const pgSchema = z.strictObject({
  enabled: z.boolean().default(true),
  url: z.string().optional(),
  host: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().optional(),
  database: z.string().optional(),
  passwordEnv: envName.optional(),
  sslmode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  interval: duration.prefault('2s'),
  statementTimeout: duration.prefault('2s'),
});

const redisSchema = z.strictObject({
  enabled: z.boolean().default(true),
  url: z.string().optional(),
  passwordEnv: envName.optional(),
  interval: duration.prefault('2s'),
});

const dockerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  socket: z.string().optional(),
  host: z.string().optional(),
  interval: duration.prefault('2s'),
  statsInterval: duration.prefault('10s'),
  stopTimeout: duration.prefault('10s'),
});

const hostSchema = z.strictObject({
  interval: duration.prefault('2s'),
  processesInterval: duration.prefault('15s'),
  /** Link speed per interface in Mbit/s, for interfaces whose speed the kernel does not report. */
  linkSpeedMbps: z.record(z.string(), z.number().positive()).default({}),
  /** Filesystem types that are never a "real" mount. */
  ignoreFsTypes: z.array(z.string()).optional(),
});

// An argument vector: a program and its arguments (an argument may be empty, the program not).
const argv = z
  .array(z.string())
  .refine((a) => a.length > 0 && a[0]!.length > 0, 'expected a command as an argument vector, e.g. ["systemctl", "start", "nginx"]');

const serviceSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'expected a service name of letters, digits, ".", "_", "@" or "-"'),
    group: z.enum(['database', 'queue', 'search', 'application', 'other']).default('other'),
    systemd: z.string().optional(),
    container: z.string().optional(),
    compose: z.strictObject({ project: z.string().optional(), file: z.string().optional(), services: z.array(z.string()).default([]) }).optional(),
    start: argv.optional(),
    stop: argv.optional(),
    status: argv.optional(),
    timeout: duration.prefault('60s'),
  })
  .refine((s) => [s.systemd, s.container, s.compose, s.start ?? s.stop].filter((v) => v !== undefined).length === 1, {
    message: 'a service needs exactly one of: systemd, container, compose, or start/stop commands',
  });

const logSourceSchema = z
  .strictObject({
    name: z.string().min(1),
    file: z.string().optional(),
    command: argv.optional(),
    container: z.string().optional(),
  })
  .refine((s) => [s.file, s.command, s.container].filter((v) => v !== undefined).length === 1, {
    message: 'a log source needs exactly one of: file, command, container',
  });

const retentionSchema = z.strictObject({
  preset: z.enum(['itsm', 'gfs', 'none']).default('itsm'),
  fullDays: z.number().int().positive().optional(),
  diffDays: z.number().int().positive().optional(),
  dailyDays: z.number().int().positive().optional(),
  weeklyWeeks: z.number().int().positive().optional(),
  monthlyMonths: z.number().int().positive().optional(),
});

const backupsSchema = z.strictObject({
  dir: z.string().default('/var/backups/opsdeck'),
  format: z.enum(['plain', 'custom']).default('plain'),
  databases: z.array(z.string()).default([]),
  files: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/), paths: z.array(z.string()).min(1) })).default([]),
  retention: retentionSchema.prefault({}),
  verifyQueries: z.array(z.strictObject({ database: z.string().optional(), sql: z.string(), expect: z.string().optional() })).default([]),
});

export const configSchema = z.strictObject({
  readOnly: z.boolean().default(false),
  /** Look for local endpoints (Docker socket, PostgreSQL, Redis) that the config does not name. */
  discover: z.boolean().default(true),
  probeTimeout: duration.prefault('3s'),
  historyLength: z.number().int().min(10).max(10_000).default(300),
  targets: z
    .strictObject({
      host: hostSchema.prefault({}),
      docker: dockerSchema.optional(),
      postgres: pgSchema.optional(),
      redis: redisSchema.optional(),
    })
    .prefault({}),
  thresholds: z.record(z.string(), ruleOverrideSchema).default({}),
  services: z.array(serviceSchema).default([]),
  startOrder: z.array(z.string()).optional(),
  logs: z.strictObject({ sources: z.array(logSourceSchema).default([]), bufferLines: z.number().int().min(100).max(1_000_000).default(10_000) }).prefault({}),
  audit: z.strictObject({ path: z.string().optional() }).prefault({}),
  backups: backupsSchema.prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type PgTargetConfig = z.output<typeof pgSchema>;
export type RedisTargetConfig = z.output<typeof redisSchema>;
export type DockerTargetConfig = z.output<typeof dockerSchema>;
export type HostTargetConfig = z.output<typeof hostSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type LogSourceConfig = z.output<typeof logSourceSchema>;
export type BackupsConfig = z.output<typeof backupsSchema>;
