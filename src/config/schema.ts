// The configuration schema: one zod schema (zod/mini, from src/util/zod.ts) that validates the
// YAML and fills in defaults. Defaults are the documented thresholds of SPEC §1; every value can
// be overridden.
import path from 'node:path';
import ms from 'ms';
import * as z from '../util/zod.js';

/** A duration written as `90s`, `5m`, `2h`, `500ms` or a number of milliseconds. */
export const duration = z.pipe(
  z.union([z.number().check(z.nonnegative()), z.string()]),
  z.transform((value: number | string, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(value.trim()) ? ms(value.trim() as ms.StringValue) : undefined;
    if (parsed === undefined || Number.isNaN(parsed)) {
      // zod/mini's transform has no ctx.addIssue: push the issue classic's addIssue would make.
      ctx.issues.push({
        code: 'custom',
        message: `expected a duration like "500ms", "30s", "5m", "2h" or "1d", got "${value}"`,
        input: value,
      });
      return z.NEVER;
    }
    return parsed;
  }),
);

const envName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'expected the NAME of an environment variable (letters, digits, _), not its value',
    ),
  );

/** One threshold rule: warn/crit limits, the direction of a breach, sampling and sustain. */
export const ruleSchema = z.strictObject({
  /** Limits: a value AT a limit counts as a breach (>= for above, <= for below). */
  warn: z.number(),
  crit: z.number(),
  direction: z._default(z.enum(['above', 'below']), 'above'),
  interval: z.optional(duration),
  sustain: z.prefault(duration, 0),
  enabled: z._default(z.boolean(), true),
});
export type RuleConfig = z.infer<typeof ruleSchema>;

/** An override in `thresholds:`: only the keys given replace the default rule's (no defaults here). */
const ruleOverrideSchema = z.strictObject({
  warn: z.optional(z.number()),
  crit: z.optional(z.number()),
  direction: z.optional(z.enum(['above', 'below'])),
  interval: z.optional(duration),
  sustain: z.optional(duration),
  enabled: z.optional(z.boolean()),
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
  // The ITSM manual archives WAL every 15 minutes (RPO 15 min): older than that is a warning,
  // twice that critical; a failing archive_command is critical at once. Only when archiving is on.
  'postgres.walArchiveAgeSeconds': { warn: 900, crit: 1800, interval: '2s', sustain: 0 },
  'postgres.walArchiveFailing': { warn: 1, crit: 1, interval: '2s', sustain: 0 },
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
  // Backups of a source whose latest verification failed (corrupt or truncated): critical at once.
  'backup.corruptCount': { warn: 1, crit: 1, interval: '1m', sustain: 0 },
  // Hours since the newest backup of a source whose off-host copy is verified (only with backups.offsite):
  // the backup's own 26/50 h plus a few hours for the copy and its retries.
  'backup.offsiteAgeHours': { warn: 30, crit: 54, interval: '1m', sustain: 0 },
  // HTTP endpoints (targets.http): down is CRITICAL once it lasted the manual's `up == 0 for: 2m`;
  // latency from the SLO "API response within 200 ms" (critical at 1 s); the interval is each
  // endpoint's own (targets.http[].interval, default 10 s).
  'http.up': { warn: 0, crit: 0, direction: 'below', interval: '10s', sustain: '2m' },
  'http.latencyMs': { warn: 200, crit: 1000, interval: '10s', sustain: '1m' },
  // Days until a certificate expires (https endpoints and targets.certificates): the manuals'
  // weekly check; 30 days warning, 7 critical. Certificate files are read every 10 minutes.
  'tls.daysLeft': { warn: 30, crit: 7, direction: 'below', interval: '10m', sustain: 0 },
} satisfies Record<string, RuleInput>;
export type MetricId = keyof typeof DEFAULT_RULES;

const pgSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  url: z.optional(z.string()),
  host: z.optional(z.string()),
  port: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(65535))),
  user: z.optional(z.string()),
  database: z.optional(z.string()),
  passwordEnv: z.optional(envName),
  sslmode: z.optional(z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full'])),
  interval: z.prefault(duration, '2s'),
  statementTimeout: z.prefault(duration, '2s'),
});

const redisSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  url: z.optional(z.string()),
  passwordEnv: z.optional(envName),
  interval: z.prefault(duration, '2s'),
});

const dockerSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  socket: z.optional(z.string()),
  host: z.optional(z.string()),
  interval: z.prefault(duration, '2s'),
  statsInterval: z.prefault(duration, '10s'),
  stopTimeout: z.prefault(duration, '10s'),
});

const hostSchema = z.strictObject({
  interval: z.prefault(duration, '2s'),
  processesInterval: z.prefault(duration, '15s'),
  /** Link speed per interface in Mbit/s, for interfaces whose speed the kernel does not report. */
  linkSpeedMbps: z._default(z.record(z.string(), z.number().check(z.positive())), {}),
  /** Filesystem types that are never a "real" mount. */
  ignoreFsTypes: z.optional(z.array(z.string())),
});

// An argument vector: a program and its arguments (an argument may be empty, the program not).
const argv = z
  .array(z.string())
  .check(
    z.refine(
      (a) => a.length > 0 && a[0]!.length > 0,
      'expected a command as an argument vector, e.g. ["systemctl", "start", "nginx"]',
    ),
  );

const serviceSchema = z
  .strictObject({
    name: z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'expected a service name of letters, digits, ".", "_", "@" or "-"'),
      ),
    group: z._default(z.enum(['database', 'queue', 'search', 'application', 'other']), 'other'),
    systemd: z.optional(z.string()),
    container: z.optional(z.string()),
    compose: z.optional(
      z.strictObject({
        project: z.optional(z.string()),
        file: z.optional(z.string()),
        services: z._default(z.array(z.string()), []),
      }),
    ),
    start: z.optional(argv),
    stop: z.optional(argv),
    status: z.optional(argv),
    /** Argv services: how to restart (default: stop, then start) and reload (none: refused). */
    restart: z.optional(argv),
    reload: z.optional(argv),
    /** Names of the health checks (top-level `checks`) that prove this service healthy; default `defaultChecks`. */
    checks: z.optional(z.array(z.string())),
    timeout: z.prefault(duration, '60s'),
  })
  .check(
    z.refine(
      (s) => [s.systemd, s.container, s.compose, s.start ?? s.stop].filter((v) => v !== undefined).length === 1,
      {
        message: 'a service needs exactly one of: systemd, container, compose, or start/stop commands',
      },
    ),
  );

const accessFormat = z.enum(['combined', 'gunicorn', 'auto']);
const accessSchema = z.strictObject({
  format: z._default(accessFormat, 'auto'),
  /** Which number after the last quoted field is the response time (0 = the first). */
  timeField: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(20))),
  /** Its unit; by default a decimal is seconds (nginx $request_time), an integer microseconds (gunicorn %(D)s). */
  timeUnit: z.optional(z.enum(['s', 'ms', 'us'])),
  /** Bytes of the file's end read on open to fill the windows (default 32 MiB). */
  historyBytes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(256 * 1024 * 1024))),
});
// A named health check (issue 15): what a plan runs at its end to prove the services healthy, like
// the manual's `sleep 30 && ./scripts/health-check.sh` or `curl -f https://api…/`.
const hostPort = z
  .string()
  .check(z.regex(/^(\[[0-9a-fA-F:]+\]|[^\s:]+):\d{1,5}$/, 'expected "host:port", e.g. "127.0.0.1:5432"'));
export const healthCheckSchema = z
  .strictObject({
    name: z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'expected a check name of letters, digits, ".", "_", "@" or "-"'),
      ),
    http: z.optional(
      z.strictObject({
        url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL')),
        /** The status that counts as healthy; default any 2xx or 3xx (curl -f). */
        expectStatus: z.optional(z.number().check(z.int(), z.minimum(100), z.maximum(599))),
        tlsVerify: z._default(z.boolean(), true),
      }),
    ),
    command: z.optional(argv),
    tcp: z.optional(hostPort),
    sql: z.optional(
      z.strictObject({
        query: z.string().check(z.minLength(1)),
        /** The first column of the first row, as text; default: the query succeeds. */
        expect: z.optional(z.string()),
      }),
    ),
    /** Wait this long before the first attempt (the manual sleeps 30 s). */
    wait: z.prefault(duration, 0),
    /** Each attempt's own limit. */
    timeout: z.prefault(duration, '5s'),
    /** Try again every `every` until `within` has passed since the first attempt; default one attempt. */
    retry: z.optional(z.strictObject({ every: z.prefault(duration, '2s'), within: duration })),
  })
  .check(
    z.refine((c) => [c.http, c.command, c.tcp, c.sql].filter((v) => v !== undefined).length === 1, {
      message: 'a health check needs exactly one of: http, command, tcp, sql',
    }),
  );

const logSourceSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1)),
    file: z.optional(z.string()),
    command: z.optional(argv),
    container: z.optional(z.string()),
    // journalctl -f -o json [-u unit] [-p priority] [--directory | --file] (a journal copied from elsewhere).
    journal: z.optional(
      z.strictObject({
        unit: z.optional(z.string().check(z.minLength(1))),
        priority: z.optional(
          z.union([
            z.number().check(z.int(), z.minimum(0), z.maximum(7)),
            z.enum(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']),
          ]),
        ),
        directory: z.optional(z.string().check(z.minLength(1))),
        file: z.optional(z.string().check(z.minLength(1))),
      }),
    ),
    /** An access log (issue 15 point 7): its format, or the format with where its response time is. */
    access: z.optional(z.union([accessFormat, accessSchema])),
  })
  .check(
    z.refine((s) => [s.file, s.command, s.container, s.journal].filter((v) => v !== undefined).length === 1, {
      message: 'a log source needs exactly one of: file, command, container, journal',
    }),
  );

// An HTTP(S) endpoint checked like the manuals' `curl -f`. A header value is literal text or
// `{ env: NAME }` (read from the environment, never shown); credentials must come from the environment.
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api[-_]?key|password/i;
const headerValue = z.union([z.string(), z.strictObject({ env: envName })]);
const httpStatus = z.number().check(z.int(), z.minimum(100), z.maximum(599));
const httpTargetSchema = z
  .strictObject({
    name: z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/, 'expected a name of letters, digits, ".", "_", ":", "@" or "-"'),
      ),
    url: z.string().check(
      z.refine((u) => {
        try {
          const p = new URL(u).protocol;
          return p === 'http:' || p === 'https:';
        } catch {
          return false;
        }
      }, 'expected an http:// or https:// URL, e.g. "https://api.example.com/health"'),
    ),
    method: z._default(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']), 'GET'),
    /** The status (or statuses) that mean "up"; unset: any status below 400 (curl -f). */
    expectStatus: z.optional(z.union([httpStatus, z.array(httpStatus).check(z.minLength(1))])),
    headers: z._default(z.record(z.string(), headerValue), {}),
    /** Whole request; unset or longer than probeTimeout: probeTimeout. */
    timeout: z.optional(duration),
    interval: z.prefault(duration, '10s'),
    tlsVerify: z._default(z.boolean(), true),
  })
  .check(
    z.superRefine((t, ctx) => {
      for (const [name, value] of Object.entries(t.headers))
        if (typeof value === 'string' && SECRET_HEADER.test(name))
          ctx.addIssue({
            code: 'custom',
            message:
              'holds a credential as literal text: write { env: NAME } and put the value in the ' +
              'environment variable NAME',
            path: ['headers', name],
            input: value,
          });
    }),
  );

// A certificate file (PEM) whose expiry is watched; `file` may hold * ? [..] in its path segments.
const certificateTargetSchema = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/, 'expected a name of letters, digits, ".", "_", ":", "@" or "-"')),
  file: z.string().check(
    z.minLength(1),
    z.refine((d) => d.startsWith('/'), 'expected an absolute path, e.g. "/etc/letsencrypt/live/*/cert.pem"'),
  ),
});

const positiveInt = z.number().check(z.int(), z.positive());
const retentionSchema = z.strictObject({
  preset: z._default(z.enum(['itsm', 'gfs', 'none']), 'itsm'),
  fullDays: z.optional(positiveInt),
  diffDays: z.optional(positiveInt),
  dailyDays: z.optional(positiveInt),
  weeklyWeeks: z.optional(positiveInt),
  monthlyMonths: z.optional(positiveInt),
});

// Where a file set of another tool's backups goes back to (backups.existing[].restore): the path,
// or the path with the owner to give every file (the manual's `chown -R`), the mode of a single
// file (the manual's `chmod 600 .env.production`) and the services that use it (stopped meanwhile).
const absolutePath = z.string().check(
  z.minLength(1),
  z.refine((d) => d.startsWith('/'), 'expected an absolute path'),
);
const restoreTargetSchema = z.pipe(
  // A bare path is the path with nothing else to say.
  z.transform((v: unknown) => (typeof v === 'string' ? { path: v } : v)),
  z.strictObject({
    path: absolutePath,
    owner: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/, 'expected user:group (names or numbers)')),
    ),
    mode: z.optional(
      z.string().check(z.regex(/^0?[0-7]{3}$/, "expected an octal mode as a quoted string, e.g. '0600'")),
    ),
    services: z._default(z.array(z.string()), []),
  }),
);

// One directory of backups written by another tool. `database` is the database its dumps are of
// (the manuals' names do not say); `name` labels the directory in listings (default: the database).
const existingSchema = z.strictObject({
  dir: z.string().check(
    z.minLength(1),
    z.refine((d) => d.startsWith('/'), 'expected an absolute path'),
  ),
  database: z.string().check(z.minLength(1)),
  name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/))),
  // File set (data, letsencrypt, env.production, or a generic tar's name) → where it restores to.
  restore: z._default(z.record(z.string(), restoreTargetSchema), {}),
});

// Off-host copies through rclone (issue 14 point 6). `remote` names a remote rclone already knows
// (rclone.conf or RCLONE_CONFIG_<NAME>_* in the environment) and a path on it; credentials stay
// there. An on-the-fly connection string (":webdav,url=…:" or "name,key=value:") would carry them
// in argv, so it is refused.
const offsiteRetrySchema = z.strictObject({
  initial: z.prefault(duration, '1m'),
  max: z.prefault(duration, '6h'),
  factor: z._default(z.number().check(z.minimum(1), z.maximum(10)), 2),
});
const offsiteSchema = z.strictObject({
  remote: z.string().check(
    z.refine((r) => !r.startsWith(':') && !/^[^:]*,[^:]*:/.test(r), {
      message:
        'is an rclone connection string, which would put credentials on the command line: define the remote in ' +
        "rclone's config file or as RCLONE_CONFIG_<NAME>_* environment variables and name it here",
    }),
    z.regex(
      /^[A-Za-z0-9_][A-Za-z0-9_. +@-]*:[^\0\n]*$/,
      'expected an rclone remote and path like "offsite:opsdeck/backups" (the remote defined in rclone\'s config ' +
        'or by RCLONE_CONFIG_<NAME>_TYPE)',
    ),
  ),
  rclone: z._default(z.string().check(z.minLength(1)), 'rclone'),
  configFile: z.optional(z.string().check(z.refine((d) => d.startsWith('/'), 'expected an absolute path'))),
  /** rclone --bwlimit (e.g. "10M"): spare the uplink. */
  bwlimit: z.optional(z.string().check(z.regex(/^[0-9.]+[BKMGTP]?$/i, 'expected a bandwidth like "10M" or "512K"'))),
  /** How often the console looks for copies to make or retry. */
  interval: z.prefault(duration, '1m'),
  retry: z.prefault(offsiteRetrySchema, {}),
});

const backupsSchema = z
  .strictObject({
    dir: z._default(z.string(), '/var/backups/opsdeck'),
    format: z._default(z.enum(['plain', 'custom']), 'plain'),
    databases: z._default(z.array(z.string()), []),
    files: z._default(
      z.array(
        z.strictObject({
          name: z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/)),
          paths: z.array(z.string()).check(z.minLength(1)),
          // The services that use these paths: stopped while a restore puts them back.
          services: z._default(z.array(z.string()), []),
        }),
      ),
      [],
    ),
    retention: z.prefault(retentionSchema, {}),
    verifyQueries: z._default(
      z.array(z.strictObject({ database: z.optional(z.string()), sql: z.string(), expect: z.optional(z.string()) })),
      [],
    ),
    // Directories another tool writes (the manuals' cron scripts): listed in the catalog, never written to.
    existing: z._default(z.array(existingSchema), []),
    // Copy every published backup to an rclone remote (offsite.ts); unset: no off-host copies.
    offsite: z.optional(offsiteSchema),
  })
  .check(
    // Under backups.dir a file named like one of ours would be pruned as ours: refuse the overlap outright.
    z.superRefine((b, ctx) => {
      b.existing.forEach((e, i) => {
        const rel = path.relative(path.resolve(b.dir), path.resolve(e.dir));
        if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
          ctx.addIssue({
            code: 'custom',
            message: `is inside backups.dir (${b.dir}), which opsdeck prunes: name a directory outside it`,
            path: ['existing', i, 'dir'],
            input: e.dir,
          });
      });
    }),
  );

export const configSchema = z
  .strictObject({
    readOnly: z._default(z.boolean(), false),
    /** Look for local endpoints (Docker socket, PostgreSQL, Redis) that the config does not name. */
    discover: z._default(z.boolean(), true),
    probeTimeout: z.prefault(duration, '3s'),
    historyLength: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(10_000)), 300),
    targets: z.prefault(
      z.strictObject({
        host: z.prefault(hostSchema, {}),
        docker: z.optional(dockerSchema),
        postgres: z.optional(pgSchema),
        redis: z.optional(redisSchema),
        http: z._default(z.array(httpTargetSchema), []),
        certificates: z._default(z.array(certificateTargetSchema), []),
      }),
      {},
    ),
    thresholds: z._default(z.record(z.string(), ruleOverrideSchema), {}),
    services: z._default(z.array(serviceSchema), []),
    startOrder: z.optional(z.array(z.string())),
    /** Named health checks plans end with (issue 15). */
    checks: z._default(z.array(healthCheckSchema), []),
    /** The checks of services that name none (and of plans without services). */
    defaultChecks: z._default(z.array(z.string()), []),
    logs: z.prefault(
      z.strictObject({
        sources: z._default(z.array(logSourceSchema), []),
        bufferLines: z._default(z.number().check(z.int(), z.minimum(100), z.maximum(1_000_000)), 10_000),
      }),
      {},
    ),
    audit: z.prefault(z.strictObject({ path: z.optional(z.string()) }), {}),
    backups: z.prefault(backupsSchema, {}),
  })
  .check(
    // Check names are unique, and every name a service or defaultChecks gives is a configured check.
    z.superRefine((c, ctx) => {
      const known = new Set<string>();
      c.checks.forEach((k, i) => {
        if (known.has(k.name))
          ctx.addIssue({
            code: 'custom',
            message: `a second check is named "${k.name}": give each check its own name`,
            path: ['checks', i, 'name'],
            input: k.name,
          });
        known.add(k.name);
      });
      const list = [...known].join(', ') || 'none: add a checks: list';
      const refs = (names: readonly string[], at: (string | number)[]): void =>
        names.forEach((n, j) => {
          if (!known.has(n))
            ctx.addIssue({
              code: 'custom',
              message: `names the check "${n}", which is not in checks (known: ${list})`,
              path: [...at, j],
              input: n,
            });
        });
      refs(c.defaultChecks, ['defaultChecks']);
      c.services.forEach((s, i) => refs(s.checks ?? [], ['services', i, 'checks']));
    }),
  );

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type PgTargetConfig = z.output<typeof pgSchema>;
export type RedisTargetConfig = z.output<typeof redisSchema>;
export type DockerTargetConfig = z.output<typeof dockerSchema>;
export type HostTargetConfig = z.output<typeof hostSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type HealthCheckConfig = z.output<typeof healthCheckSchema>;
export type LogSourceConfig = z.output<typeof logSourceSchema>;
export type BackupsConfig = z.output<typeof backupsSchema>;
export type ExistingBackupsConfig = z.output<typeof existingSchema>;
export type RestoreTargetConfig = z.output<typeof restoreTargetSchema>;
export type OffsiteConfig = z.output<typeof offsiteSchema>;
export type HttpTargetConfig = z.output<typeof httpTargetSchema>;
export type CertificateTargetConfig = z.output<typeof certificateTargetSchema>;
