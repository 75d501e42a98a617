// Preflight: everything a restore (or a drill) checks while nothing has changed yet — the backup
// file proves itself (checksum, full decompression, completion marker / pg_restore read), it is a
// full dump, we may do this on this server, the target and its owner are known, the safety dump
// fits, and the operator sees who will be disconnected and which services will be stopped. Any
// failed check ends the restore here with the database untouched.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { ServiceStatus } from '../actions/service-drivers.js';
import { scanCatalog } from '../backup/catalog.js';
import type { PgTarget } from '../backup/pg-tools.js';
import { estimateSize } from '../backup/preflight.js';
import { readSidecar } from '../backup/sidecar.js';
import { verifyBackup } from '../backup/verify.js';
import { existingEntryOf, type ExistingContext } from '../backup/existing-verify.js';
import type { StreamCount } from '../backup/existing-facts.js';
import type { AppServices } from './app-services.js';
import { checkExistingBackup, quoteCounts } from './existing-backup.js';
import {
  connectionsTo,
  dbFacts,
  groupLine,
  roleExists,
  serverFacts,
  type ConnectionGroup,
  type DbFacts,
  type ServerFacts,
} from './db-facts.js';
import { maintenanceDb, MAX_IDENT_BYTES, serverName, withDb } from './sql.js';
import type { BackupFacts, Check } from './types.js';
import { applicableQueries, type VerifyQuery } from './verify-data.js';
import { bytes as formatBytes } from '../present/format.js';

export interface PreflightOptions {
  backup: string;
  /** The server (its `database` is ignored: `database` below is the target). */
  conn: PgTarget;
  database: string;
  /** restore: replaces `database`; drill: restores into the new scratch `database`. */
  mode: 'restore' | 'drill';
  /** Owner of the recreated database (default: the current owner, else the backup's user, else us). */
  owner?: string;
  services?: AppServices;
  /** Where the safety dump will be written (restore only). */
  safetyRoot?: string;
  /** The backup root, to learn the compression ratio of earlier backups of the same database. */
  catalogRoot?: string;
  verifyQueries?: readonly VerifyQuery[];
  /**
   * Another tool's directories (backups.existing) and opsdeck's facts about them: a backup there has no sidecar and
   * is verified and counted from its own stream (existing-backup.ts). `ownRoot` (backups.dir) stays sidecar-only.
   */
  existing?: ExistingContext & { ownRoot?: string };
  signal?: AbortSignal;
}

export interface PreflightReport {
  ok: boolean;
  checks: Check[];
  backup: BackupFacts;
  server?: ServerFacts;
  target?: DbFacts;
  owner?: string;
  connections: ConnectionGroup[];
  services: ServiceStatus[];
}

/**
 * Runs every check (read-only); `ok` is false when any check failed. Never throws for a bad backup or an unreachable
 * server.
 */
export async function preflightRestore(opts: PreflightOptions): Promise<PreflightReport> {
  const signal = opts.signal ?? AbortSignal.timeout(10 * 60_000);
  const checks: Check[] = [];
  const add = (c: Check): void => void checks.push(c);
  const report: PreflightReport = {
    ok: false,
    checks,
    backup: { path: opts.backup, format: 'plain', kind: 'full', size: 0 },
    connections: [],
    services: [],
  };

  // 1. The file itself, with the backup layer's own verification (not recorded: preflight writes nothing).
  // Another tool's backup instead proves itself by reading completely, its rows counted from the stream.
  const existing = await existingEntryOf(opts.backup, opts.existing, opts.existing?.ownRoot).catch(() => undefined);
  let streamCounts: StreamCount[] | undefined;
  if (existing) {
    try {
      const r = await checkExistingBackup(existing, opts.existing!.factsFile, signal);
      report.backup = r.facts;
      streamCounts = r.counts;
      add(r.check);
    } catch (err) {
      add({ id: 'backup', title: 'backup file', status: 'fail', detail: (err as Error).message });
    }
  } else
    try {
      const v = await verifyBackup(opts.backup, { signal, record: false });
      const meta = await readSidecar(opts.backup).catch(() => undefined);
      report.backup = {
        path: opts.backup,
        format: meta?.format ?? (opts.backup.endsWith('.dump') ? 'custom' : 'plain'),
        kind: meta?.kind ?? 'full',
        size: meta?.size ?? 0,
        ...(meta?.source.type === 'postgres'
          ? { sourceDb: meta.source.name, ...(meta.source.user ? { sourceUser: meta.source.user } : {}) }
          : {}),
        ...(meta?.uncompressedSize !== undefined ? { uncompressedSize: meta.uncompressedSize } : {}),
        ...(meta?.rowCounts ? { rowCounts: meta.rowCounts } : {}),
        ...(meta ? { takenAt: meta.startedAt } : {}),
        ...(meta?.databaseSize !== undefined ? { databaseSize: meta.databaseSize } : {}),
      };
      add({
        id: 'backup',
        title: 'backup file',
        status: v.ok ? 'pass' : 'fail',
        detail: v.ok
          ? `${path.basename(opts.backup)}: verified (${v.checks.map((c) => c.name).join(', ')})`
          : `${path.basename(opts.backup)} does not verify: ${v.message}`,
        lines: v.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
      });
    } catch (err) {
      add({ id: 'backup', title: 'backup file', status: 'fail', detail: (err as Error).message });
    }
  const b = report.backup;
  if (b.format === 'tar' || b.kind !== 'full') {
    add({
      id: 'kind',
      title: 'kind of backup',
      status: 'fail',
      detail:
        b.kind === 'data'
          ? 'a data-only backup cannot rebuild a dropped database: pick a full backup'
          : 'not a PostgreSQL dump',
    });
  } else {
    const kind = b.format === 'custom' ? 'custom-format (pg_dump -Fc)' : 'plain gzip';
    const source = b.sourceDb ? ` of ${b.sourceDb}` : '';
    const taken = b.takenAt ? ` taken ${b.takenAt}` : '';
    add({ id: 'kind', title: 'kind of backup', status: 'pass', detail: `full ${kind} dump${source}${taken}` });
  }

  // 2. The server, as the role we will act as.
  try {
    await withDb(opts.conn, maintenanceDb(opts.database), async (c) => {
      const server = await serverFacts(c);
      report.server = server;
      add({
        id: 'server',
        title: 'server',
        status: 'pass',
        detail: `PostgreSQL ${server.version} at ${serverName(opts.conn)}, connected as ${server.user}`,
      });
      add(
        server.superuser
          ? { id: 'privileges', title: 'privileges', status: 'pass', detail: `${server.user} is a superuser` }
          : {
              id: 'privileges',
              title: 'privileges',
              status: 'fail',
              detail:
                `${server.user} is not a superuser: a restore blocks, terminates and recreates as the manual does ` +
                '(psql -U postgres); configure a superuser connection',
            },
      );
      if (streamCounts) b.rowCounts = await quoteCounts(c, streamCounts);
      await targetChecks(c, opts, report, add);
    });
  } catch (err) {
    add({
      id: 'server',
      title: 'server',
      status: 'fail',
      detail: `cannot connect to ${serverName(opts.conn)} as ${opts.conn.user}: ${(err as Error).message}`,
    });
  }

  // 3. The services that will be stopped and started again.
  if (opts.mode === 'restore' && opts.services) {
    const svc = opts.services;
    const unable = svc.unable('stop').concat(svc.unable('start'));
    report.services = svc.services.length > 0 ? await svc.status(AbortSignal.timeout(20_000)) : [];
    add({
      id: 'services',
      title: 'application services',
      status: unable.length > 0 ? 'fail' : 'pass',
      detail:
        svc.services.length === 0
          ? 'none configured (group: application): no service is stopped'
          : unable.length > 0
            ? `cannot be stopped and started: ${unable.join('; ')}`
            : `${svc.services.length} will be stopped first and started again at the end`,
      lines: report.services.map((s) => `${s.name}: ${s.state} (${s.detail})`),
    });
  }

  // 4. Something to verify against.
  const queries = applicableQueries(opts.verifyQueries ?? [], b.sourceDb ?? opts.database);
  const tables = b.rowCounts ? Object.keys(b.rowCounts).length : 0;
  const querySuffix = queries.length === 1 ? 'y' : 'ies';
  const countedHow = streamCounts ? 'counted from the backup stream (no sidecar)' : 'recorded in the backup';
  add({
    id: 'verification',
    title: 'verification',
    status: tables + queries.length > 0 ? 'pass' : 'warn',
    detail:
      tables + queries.length > 0
        ? `row counts of ${tables} tables ${countedHow}, ${queries.length} configured quer${querySuffix}`
        : 'nothing to compare with: the sidecar records no row counts and no verification query applies',
  });
  report.ok = !checks.some((c) => c.status === 'fail');
  return report;
}

async function targetChecks(
  c: pg.Client,
  opts: PreflightOptions,
  report: PreflightReport,
  add: (c: Check) => void,
): Promise<void> {
  const server = report.server!;
  const bytes = Buffer.byteLength(opts.database);
  if (bytes > MAX_IDENT_BYTES) {
    add({
      id: 'target',
      title: 'target database',
      status: 'fail',
      detail: `the name is ${bytes} bytes; PostgreSQL keeps at most ${MAX_IDENT_BYTES}`,
    });
    return;
  }
  const facts = await dbFacts(c, opts.database);
  report.target = facts;
  if (opts.mode === 'drill') {
    add(
      facts.exists
        ? { id: 'scratch', title: 'scratch database', status: 'fail', detail: `${opts.database} already exists` }
        : {
            id: 'scratch',
            title: 'scratch database',
            status: 'pass',
            detail: `${opts.database} will be created and dropped again`,
          },
    );
    await scratchSpace(opts, report, add);
  } else if (facts.exists) {
    const extra = [...facts.grants, ...facts.settings].length;
    const reapplied = extra > 0 ? `; ${extra} database-level grant/setting statements will be re-applied` : '';
    const size = formatBytes(facts.sizeBytes ?? 0);
    add({
      id: 'target',
      title: 'target database',
      status: facts.skippedSettings.length > 0 ? 'warn' : 'pass',
      detail: `${opts.database} exists, ${size}, ${facts.encoding}, ${facts.collate}${reapplied}`,
      ...(facts.skippedSettings.length > 0
        ? { lines: facts.skippedSettings.map((s) => `setting not carried over (odd name): ${s}`) }
        : {}),
    });
  } else {
    add({
      id: 'target',
      title: 'target database',
      status: 'warn',
      detail: `${opts.database} does not exist: it will be created (no connections to end, no safety dump to take)`,
    });
  }
  const owner = opts.owner ?? facts.owner ?? report.backup.sourceUser ?? server.user;
  report.owner = owner;
  add(
    (await roleExists(c, owner))
      ? { id: 'owner', title: 'owner', status: 'pass', detail: `${owner} will own the recreated database` }
      : {
          id: 'owner',
          title: 'owner',
          status: 'fail',
          detail: `role ${owner} does not exist on this server (create it first, or pass another owner)`,
        },
  );

  if (opts.mode === 'restore' && facts.exists) {
    report.connections = await connectionsTo(c, opts.database);
    const n = report.connections.reduce((a, g) => a + g.count, 0);
    add({
      id: 'connections',
      title: 'connections to terminate',
      status: 'pass',
      detail: n === 0 ? 'nobody is connected' : `${n} connection${n === 1 ? '' : 's'} will be terminated`,
      lines: report.connections.map(groupLine),
    });
    await safetySpace(opts, facts, report, add);
  }
}

async function safetySpace(
  opts: PreflightOptions,
  facts: DbFacts,
  report: PreflightReport,
  add: (c: Check) => void,
): Promise<void> {
  const dir = opts.safetyRoot ?? path.dirname(opts.backup);
  const history = opts.catalogRoot
    ? ((await scanCatalog(opts.catalogRoot, { type: 'postgres', name: opts.database }).catch(() => undefined))
        ?.entries ?? [])
    : [];
  const need = estimateSize(
    facts.sizeBytes ?? 0,
    'full',
    report.backup.format === 'custom' ? 'custom' : 'plain',
    history,
  );
  const free = await freeNear(dir);
  if (free === undefined)
    add({
      id: 'space',
      title: 'space for the safety dump',
      status: 'fail',
      detail: `cannot read free space of ${dir}`,
    });
  else
    add({
      id: 'space',
      title: 'space for the safety dump',
      status: free >= need.bytes ? 'pass' : 'fail',
      detail: `${dir}: needs about ${formatBytes(need.bytes)}, ${formatBytes(free)} free (${need.basis})`,
    });
}

async function scratchSpace(opts: PreflightOptions, report: PreflightReport, add: (c: Check) => void): Promise<void> {
  const dataDir = report.server?.dataDirectory;
  const need =
    report.backup.databaseSize ??
    (report.backup.uncompressedSize !== undefined ? report.backup.uncompressedSize * 2 : undefined);
  const local = opts.conn.host.startsWith('/') || ['127.0.0.1', 'localhost', '::1'].includes(opts.conn.host);
  const free = dataDir && local ? await freeNear(dataDir) : undefined;
  if (need === undefined || free === undefined) {
    add({
      id: 'space',
      title: 'space for the scratch database',
      status: 'warn',
      detail: 'unknown (the server is not on this host or the backup records no size)',
    });
    return;
  }
  // Twice the size: the copy itself, and head-room so a drill never fills the disk production writes to.
  const needText = `the copy needs about ${formatBytes(need)} (we want twice that free)`;
  add({
    id: 'space',
    title: 'space for the scratch database',
    status: free >= need * 2 ? 'pass' : 'fail',
    detail: `${dataDir}: ${needText}, ${formatBytes(free)} free`,
  });
}

/** Free bytes on the filesystem of `dir`, or of its nearest existing parent (it may not exist yet). */
async function freeNear(dir: string): Promise<number | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch {
      if (d === path.dirname(d)) return undefined;
    }
  }
}
