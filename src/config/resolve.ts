// Turning a parsed config into the effective one: thresholds merged over the defaults,
// secrets read from the environment variables the config names, PG*/REDIS_URL/DOCKER_HOST
// honoured, and — when allowed — local endpoints discovered.
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, defaultStateDir, findConfig, parseConfigFile, type ConfigSource } from './load.js';
import { DEFAULT_RULES, ruleSchema, type ParsedConfig, type RuleConfig } from './schema.js';

export type TargetName = 'host' | 'docker' | 'postgres' | 'redis';
/** How a target came to be watched: named in the config, found on this host, or neither. */
export type TargetOrigin = 'configured' | 'environment' | 'discovered' | 'not_configured' | 'disabled';

export interface Rule extends RuleConfig {
  metric: string;
  interval: number;
}

export interface PgConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  /** Secret: never print, log or pass on a command line. */
  password?: string;
  sslmode?: string;
  interval: number;
  statementTimeout: number;
}

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  /** Secret: never print, log or pass on a command line. */
  password?: string;
  interval: number;
}

export interface DockerConnection {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  interval: number;
  statsInterval: number;
  stopTimeout: number;
}

/** One HTTP(S) endpoint as the probe checks it: headers resolved from the environment. */
export interface HttpEndpoint {
  name: string;
  url: string;
  method: string;
  /** Statuses that mean "up"; null: any status below 400 (curl -f). */
  expectStatus: number[] | null;
  /** Secret values: never print, log or pass on a command line. */
  headers: Record<string, string>;
  /** Whole request, at most probeTimeout. */
  timeout: number;
  interval: number;
  tlsVerify: boolean;
}

export interface OpsdeckConfig {
  source: ConfigSource;
  readOnly: boolean;
  probeTimeout: number;
  historyLength: number;
  rules: Record<string, Rule>;
  host: ParsedConfig['targets']['host'];
  docker: DockerConnection | null;
  postgres: PgConnection | null;
  redis: RedisConnection | null;
  /** targets.http: every endpoint checked (empty when none). */
  http: HttpEndpoint[];
  /** targets.certificates: certificate files (globs allowed) whose expiry is watched. */
  certificates: ParsedConfig['targets']['certificates'];
  origins: Record<TargetName, TargetOrigin>;
  services: ParsedConfig['services'];
  startOrder?: string[];
  /** Named health checks (issue 15) and the ones used when a service names none. */
  checks: ParsedConfig['checks'];
  defaultChecks: string[];
  logs: ParsedConfig['logs'];
  auditPath: string;
  stateDir: string;
  backups: ParsedConfig['backups'];
}

export interface LoadOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Override the config's discover switch (tests turn it off). */
  discover?: boolean;
  readOnly?: boolean;
}

/** Finds, parses, validates and resolves the configuration. Throws ConfigError with a printable message. */
export async function loadConfig(opts: LoadOptions = {}): Promise<OpsdeckConfig> {
  const env = opts.env ?? process.env;
  const source = findConfig(opts.configPath, env, opts.cwd ?? process.cwd());
  const parsed = parseConfigFile(source.path);
  return resolveConfig(parsed, source, env, opts);
}

/** Merges rule overrides over the defaults; an unknown metric name is an error. */
export function mergeRules(overrides: ParsedConfig['thresholds'], file: string): Record<string, Rule> {
  const rules: Record<string, Rule> = {};
  for (const [metric, base] of Object.entries(DEFAULT_RULES)) {
    const given = Object.fromEntries(Object.entries(overrides[metric] ?? {}).filter(([, v]) => v !== undefined));
    const merged = ruleSchema.parse({ ...base, ...given });
    rules[metric] = { ...merged, metric, interval: merged.interval ?? 2000 };
  }
  for (const metric of Object.keys(overrides)) {
    if (!(metric in DEFAULT_RULES)) {
      throw new ConfigError(
        `${file}: thresholds.${metric}: unknown metric; known metrics are ${Object.keys(DEFAULT_RULES).join(', ')}`,
      );
    }
    const { warn, crit, direction } = rules[metric]!;
    const wrongOrder = direction === 'above' ? warn > crit : warn < crit;
    if (wrongOrder) {
      const bound = direction === 'above' ? 'at most' : 'at least';
      throw new ConfigError(
        `${file}: thresholds.${metric}: warn (${warn}) must be ${bound} crit (${crit}) for direction "${direction}"`,
      );
    }
  }
  return rules;
}

export async function resolveConfig(
  parsed: ParsedConfig,
  source: ConfigSource,
  env: NodeJS.ProcessEnv,
  opts: LoadOptions = {},
): Promise<OpsdeckConfig> {
  const file = source.path ?? '<defaults>';
  const discover = opts.discover ?? parsed.discover;
  const t = parsed.targets;
  const origins: Record<TargetName, TargetOrigin> = {
    host: 'configured',
    docker: 'not_configured',
    postgres: 'not_configured',
    redis: 'not_configured',
  };

  const [postgres, redis, docker] = await Promise.all([
    resolvePostgres(t.postgres, env, discover, file, origins),
    resolveRedis(t.redis, env, discover, file, origins),
    resolveDocker(t.docker, env, discover, file, origins),
  ]);
  const stateDir = defaultStateDir(env);
  return {
    source,
    readOnly: opts.readOnly === true || parsed.readOnly,
    probeTimeout: parsed.probeTimeout,
    historyLength: parsed.historyLength,
    rules: mergeRules(parsed.thresholds, file),
    host: t.host,
    docker,
    postgres,
    redis,
    http: resolveHttp(t.http, parsed.probeTimeout, env, file),
    certificates: resolveCertificates(t.certificates, file),
    origins,
    services: parsed.services,
    ...(parsed.startOrder ? { startOrder: parsed.startOrder } : {}),
    checks: parsed.checks,
    defaultChecks: parsed.defaultChecks,
    logs: parsed.logs,
    auditPath: parsed.audit.path ?? path.join(stateDir, 'audit.jsonl'),
    stateDir,
    backups: parsed.backups,
  };
}

function resolveHttp(
  list: ParsedConfig['targets']['http'],
  probeTimeout: number,
  env: NodeJS.ProcessEnv,
  file: string,
): HttpEndpoint[] {
  const seen = new Set<string>();
  return list.map((t, i) => {
    const key = `targets.http[${i}]`;
    if (seen.has(t.name))
      throw new ConfigError(`${file}: ${key}.name: "${t.name}" is used by another endpoint; give each a unique name`);
    seen.add(t.name);
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(t.headers)) {
      if (typeof v === 'string') headers[name] = v;
      else {
        const value = env[v.env];
        if (value === undefined)
          throw new ConfigError(
            `${file}: ${key}.headers.${name}: the environment variable ${v.env} is not set ` +
              "(it should hold the header's value)",
          );
        headers[name] = value;
      }
    }
    const expect = t.expectStatus;
    return {
      name: t.name,
      url: t.url,
      method: t.method,
      expectStatus: expect === undefined ? null : Array.isArray(expect) ? expect : [expect],
      headers,
      // A hanging endpoint must time out within the probe timeout, never past it.
      timeout: Math.min(t.timeout ?? probeTimeout, probeTimeout),
      interval: t.interval,
      tlsVerify: t.tlsVerify,
    };
  });
}

function resolveCertificates(
  list: ParsedConfig['targets']['certificates'],
  file: string,
): ParsedConfig['targets']['certificates'] {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.name))
      throw new ConfigError(
        `${file}: targets.certificates[${i}].name: "${c.name}" is used by another certificate; give each a unique name`,
      );
    seen.add(c.name);
  });
  return list;
}

function secretFrom(env: NodeJS.ProcessEnv, name: string | undefined, file: string, key: string): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (value === undefined)
    throw new ConfigError(`${file}: ${key}: the environment variable ${name} is not set (it should hold the password)`);
  return value;
}

async function resolvePostgres(
  c: ParsedConfig['targets']['postgres'],
  env: NodeJS.ProcessEnv,
  discover: boolean,
  file: string,
  origins: Record<TargetName, TargetOrigin>,
): Promise<PgConnection | null> {
  if (c?.enabled === false) {
    origins.postgres = 'disabled';
    return null;
  }
  const interval = c?.interval ?? 2000;
  const statementTimeout = c?.statementTimeout ?? 2000;
  const fromEnv = Boolean(env.PGHOST || env.PGPORT || env.PGDATABASE || env.PGUSER || env.DATABASE_URL);
  let conn: Omit<PgConnection, 'interval' | 'statementTimeout'> = {
    host: env.PGHOST || '',
    port: Number(env.PGPORT) || 5432,
    user: env.PGUSER || os.userInfo().username,
    database: env.PGDATABASE || 'postgres',
    ...(env.PGPASSWORD ? { password: env.PGPASSWORD } : {}),
    ...(env.PGSSLMODE ? { sslmode: env.PGSSLMODE } : {}),
  };
  if (c && (c.url || c.host || c.port || c.user || c.database)) {
    if (c.url) conn = { ...conn, ...parsePgUrl(c.url, file) };
    if (c.host) conn.host = c.host;
    if (c.port) conn.port = c.port;
    if (c.user) conn.user = c.user;
    if (c.database) conn.database = c.database;
    if (c.sslmode) conn.sslmode = c.sslmode;
    origins.postgres = 'configured';
  } else if (fromEnv) {
    if (env.DATABASE_URL && !env.PGHOST) conn = { ...conn, ...parsePgUrl(env.DATABASE_URL, 'DATABASE_URL') };
    origins.postgres = 'environment';
  } else if (discover) {
    const socketDir = ['/var/run/postgresql', '/tmp'].find((d) => existsSync(path.join(d, '.s.PGSQL.5432')));
    if (socketDir) conn.host = socketDir;
    else if (await canConnect('127.0.0.1', 5432)) conn.host = '127.0.0.1';
    else return null;
    origins.postgres = 'discovered';
  } else {
    return null;
  }
  const password = secretFrom(env, c?.passwordEnv, file, 'targets.postgres.passwordEnv');
  if (password !== undefined) conn.password = password;
  if (!conn.host) conn.host = existsSync('/var/run/postgresql') ? '/var/run/postgresql' : '127.0.0.1';
  return { ...conn, interval, statementTimeout };
}

function parsePgUrl(url: string, where: string): Partial<PgConnection> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${where}: postgres url: not a valid URL; expected postgres://user@host:5432/dbname`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ConfigError(
      `${where}: postgres url: expected the scheme postgres:// or postgresql://, got ${u.protocol}//`,
    );
  }
  const out: Partial<PgConnection> = {};
  const socket = u.searchParams.get('host');
  if (u.hostname || socket) out.host = socket ?? decodeURIComponent(u.hostname);
  if (u.port) out.port = Number(u.port);
  if (u.username) out.user = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '');
  if (db) out.database = decodeURIComponent(db);
  const ssl = u.searchParams.get('sslmode');
  if (ssl) out.sslmode = ssl;
  return out;
}

async function resolveRedis(
  c: ParsedConfig['targets']['redis'],
  env: NodeJS.ProcessEnv,
  discover: boolean,
  file: string,
  origins: Record<TargetName, TargetOrigin>,
): Promise<RedisConnection | null> {
  if (c?.enabled === false) {
    origins.redis = 'disabled';
    return null;
  }
  const interval = c?.interval ?? 2000;
  let url: string | undefined;
  if (c?.url) {
    url = c.url;
    origins.redis = 'configured';
  } else if (env.REDIS_URL) {
    url = env.REDIS_URL;
    origins.redis = 'environment';
  } else if (discover && (await canConnect('127.0.0.1', 6379))) {
    url = 'redis://127.0.0.1:6379';
    origins.redis = 'discovered';
  } else {
    return null;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const setting = origins.redis === 'environment' ? 'REDIS_URL' : file;
    throw new ConfigError(`${setting}: redis url: not a valid URL; expected redis://host:6379/0`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ConfigError(`${file}: targets.redis.url: expected redis:// or rediss://, got ${u.protocol}//`);
  const conn: RedisConnection = {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port) || 6379,
    db: Number(u.pathname.replace(/^\//, '')) || 0,
    tls: u.protocol === 'rediss:',
    interval,
  };
  if (u.username) conn.username = decodeURIComponent(u.username);
  if (u.password) conn.password = decodeURIComponent(u.password);
  const password = secretFrom(env, c?.passwordEnv, file, 'targets.redis.passwordEnv');
  if (password !== undefined) conn.password = password;
  return conn;
}

async function resolveDocker(
  c: ParsedConfig['targets']['docker'],
  env: NodeJS.ProcessEnv,
  discover: boolean,
  file: string,
  origins: Record<TargetName, TargetOrigin>,
): Promise<DockerConnection | null> {
  if (c?.enabled === false) {
    origins.docker = 'disabled';
    return null;
  }
  const base = {
    interval: c?.interval ?? 2000,
    statsInterval: c?.statsInterval ?? 10_000,
    stopTimeout: c?.stopTimeout ?? 10_000,
  };
  const hostSpec = c?.host ?? (c?.socket ? undefined : env.DOCKER_HOST);
  if (c?.socket) {
    origins.docker = 'configured';
    return { ...base, socketPath: c.socket };
  }
  if (hostSpec) {
    origins.docker = c?.host ? 'configured' : 'environment';
    if (hostSpec.startsWith('unix://')) return { ...base, socketPath: hostSpec.slice('unix://'.length) };
    const m = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(hostSpec);
    if (!m) {
      const setting = c?.host ? `${file}: targets.docker.host` : 'DOCKER_HOST';
      throw new ConfigError(`${setting}: expected unix:///path/docker.sock or tcp://host:2375, got "${hostSpec}"`);
    }
    const protocol = m[1] === 'https' ? 'https' : 'http';
    return { ...base, host: m[2]!, port: Number(m[3]) || 2375, protocol };
  }
  if (discover && existsSync('/var/run/docker.sock')) {
    origins.docker = 'discovered';
    return { ...base, socketPath: '/var/run/docker.sock' };
  }
  return null;
}

function canConnect(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The effective config as plain data with every secret replaced by "***" (for `opsdeck config`). */
export function redactConfig(cfg: OpsdeckConfig): unknown {
  return JSON.parse(
    JSON.stringify(cfg, (key, value: unknown) => (key === 'password' && value !== undefined ? '***' : value)),
  ) as unknown;
}
