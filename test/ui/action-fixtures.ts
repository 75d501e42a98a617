// A real action layer for console tests: an audit file in a temporary directory, a guard with an
// injectable clock, services and log sources from a config-shaped object, and (optionally) the
// sandbox Docker engine. Each test builds its own and disposes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog, readAudit, type AuditEntry } from '../../src/plan/audit.js';
import { ActionGuard } from '../../src/plan/guard.js';
import type { DockerConnection, PgConnection } from '../../src/config/resolve.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { ActionController } from '../../src/app/console/action-controller.js';
import { createConsoleActions } from '../../src/app/console-actions.js';

export interface ActionFixture {
  controller: ActionController;
  dir: string;
  auditPath: string;
  /** Moves the guard's clock (arming lapses on it). */
  clock: { now(): number; advance(ms: number): void };
  refreshes: number;
  audit(): Promise<AuditEntry[]>;
  dispose(): Promise<void>;
}

export interface ActionFixtureOptions {
  readOnly?: boolean;
  /** Services; a function gets the fixture's directory (for marker files in it). */
  services?: ConfigInput['services'] | ((dir: string) => ConfigInput['services']);
  startOrder?: string[];
  /** Named health checks and the default list (issue 15); a function gets the fixture's directory. */
  checks?: ConfigInput['checks'] | ((dir: string) => ConfigInput['checks']);
  defaultChecks?: string[];
  /** Log sources; a function gets the fixture's directory (for files in it). */
  logs?: ConfigInput['logs'] | ((dir: string) => ConfigInput['logs']);
  docker?: { socketPath: string } | null;
  /** The PostgreSQL server session actions go to (default none). */
  postgres?: PgConnection | null;
  /** The guard clock's start (match the UI clock so "ARMED 12m" reads exactly). */
  at?: number;
  /** Called after an action (besides counting), e.g. a real scheduler's refreshNow. */
  refreshNow?: () => void;
  /** Where log sources are discovered when none are configured; a function gets the fixture's directory. */
  discover?: (dir: string) => { varLog?: string; journalctl?: string };
}

/** Builds a controller over a real guard, audit file and plan builders. */
export function actionFixture(opts: ActionFixtureOptions = {}): ActionFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-ui-actions-'));
  const auditPath = path.join(dir, 'state', 'audit.jsonl');
  const logs = typeof opts.logs === 'function' ? opts.logs(dir) : opts.logs;
  const services = typeof opts.services === 'function' ? opts.services(dir) : opts.services;
  const checks = typeof opts.checks === 'function' ? opts.checks(dir) : opts.checks;
  const parsed = configSchema.parse({
    services: services ?? [],
    logs: logs ?? {},
    checks: checks ?? [],
    defaultChecks: opts.defaultChecks ?? [],
  });
  let t = opts.at ?? Date.now();
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const audit = new AuditLog({ path: auditPath });
  const guard = new ActionGuard({ readOnly: opts.readOnly ?? false, audit, clock, timer: false });
  const docker: DockerConnection | null = opts.docker
    ? { socketPath: opts.docker.socketPath, interval: 60_000, statsInterval: 60_000, stopTimeout: 2000 }
    : null;
  const fx = { refreshes: 0 };
  const actions = createConsoleActions(
    {
      readOnly: opts.readOnly ?? false,
      auditPath,
      docker,
      services: parsed.services,
      ...(opts.startOrder ? { startOrder: opts.startOrder } : {}),
      logs: parsed.logs,
      checks: parsed.checks,
      defaultChecks: parsed.defaultChecks,
      postgres: opts.postgres ?? null,
      redis: null,
    },
    {
      guard,
      audit,
      refreshNow: () => {
        fx.refreshes++;
        opts.refreshNow?.();
      },
      serviceDeps: { pollMs: 100 },
      ...(opts.discover ? { discover: opts.discover(dir) } : {}),
    },
  );
  const controller = new ActionController(actions, { guardPollMs: 20 });
  return {
    controller,
    dir,
    auditPath,
    clock,
    get refreshes() {
      return fx.refreshes;
    },
    audit: () => readAudit(auditPath, 100),
    dispose: async () => {
      await controller.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The frame without escape sequences (painted lines carry their own styles). */
export function plain(frame: string): string {
  // eslint-disable-next-line no-control-regex -- stripping SGR codes for text assertions
  return frame.replace(/\x1b\[[0-9;]*m/g, '');
}
