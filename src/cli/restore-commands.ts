// `opsdeck restore BACKUP --db NAME` and `opsdeck drill [BACKUP]`: the restore walkthrough and
// the restore drill without the console, for scripted disaster recovery and cron. The restore
// prints its preflight and plan, asks for the database name on the terminal (or takes --yes),
// and exits 0 only when the database was restored and verified; 1 on any failure, 2 on bad input
// or when it would have to ask without a terminal, 130/143 on SIGINT/SIGTERM. All audited.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { formatPlan } from '../plan/plan.js';
import type { ServiceDeps } from '../actions/services.js';
import { scanCatalog, type CatalogEntry } from '../backup/catalog.js';
import { factsPath } from '../backup/existing-facts.js';
import { existingContextOf } from '../backup/existing-verify.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import { actionLayer, withSignals, type CommandContext } from './action-runtime.js';
import { appServices } from '../restore/app-services.js';
import { drillLogPath } from '../backup/drill-log.js';
import { runDrill } from '../restore/drill.js';
import { executeRestore } from '../restore/execute.js';
import { formatChecks, formatDrillLine, formatStepLine, formatStepProgress } from '../restore/format.js';
import { prepareRestore, recordPreflightRefusal, safetyRootFor } from '../restore/plan.js';
import type { ConfirmRequest, RestoreSnapshot } from '../restore/types.js';
import { formatComparison } from '../restore/verify-data.js';
import { terminalAsk } from './ask.js';
import { fetchForRestore } from './offsite-commands.js';

export interface RestoreCommandContext extends CommandContext {
  /** Service drivers' dependencies (default: a Docker client from the config when one is configured). */
  serviceDeps?: ServiceDeps;
}

const EXIT_USAGE = 2;
const EXIT_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

interface RestoreOpts {
  db: string;
  dryRun?: boolean;
  yes?: boolean;
  rollback: 'auto' | 'ask' | 'never';
  owner?: string;
}

/** Adds `restore` and `drill` to `program`. */
export function registerRestoreCommands(program: Command, ctx: RestoreCommandContext): void {
  const usage = (msg: string): void => {
    ctx.stderr.write(`opsdeck: ${msg}\n`);
    ctx.setCode(EXIT_USAGE);
  };
  const out = (lines: string[]): void => void ctx.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
  // The DR path: not here, but backups.offsite has it — fetched and checked first. null: refused (said why).
  const fetchOrSay = async (name: string, config: OpsdeckConfig): Promise<string | undefined | null> => {
    try {
      return await fetchForRestore(ctx, config, name);
    } catch (err) {
      ctx.stderr.write(`opsdeck: ${(err as Error).message}\n`);
      ctx.setCode(1);
      return null;
    }
  };

  program
    .command('restore')
    .description(
      'restore a database from a backup: preflight, safety dump, drop and recreate, load, verify, ' +
        'with rollback on failure',
    )
    .argument('<backup>', 'the backup file (.sql.gz or .dump), or its file name in the backup directory')
    .requiredOption('--db <name>', 'the database to replace (typed again to confirm)')
    .option('--dry-run', 'print the preflight and the plan, change nothing')
    .option('--yes', 'do not ask for the database name (scripted disaster recovery)')
    .addOption(
      new Option(
        '--rollback <mode>',
        'after a failure past the drop: put the safety dump back (auto), ask (ask), or leave it (never)',
      )
        .choices(['auto', 'ask', 'never'])
        .default('ask'),
    )
    .option('--owner <role>', 'owner of the recreated database (default: its current owner)')
    .action(async (backupArg: string, opts: RestoreOpts, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      if (!config.postgres) return usage('no PostgreSQL target is configured (targets.postgres) to restore into');
      const file = await resolveBackup(config, backupArg).then((f) => f ?? fetchOrSay(backupArg, config));
      if (file === null) return;
      if (!file) return usage(`no backup file ${backupArg} (neither a path nor a file in ${config.backups.dir})`);
      const ask = terminalAsk(ctx.ask);
      if (!opts.dryRun && !ask && (!opts.yes || opts.rollback === 'ask')) {
        return usage(
          !opts.yes
            ? `restore drops ${opts.db}: run it on a terminal to type the name, or pass --yes`
            : 'without a terminal, say what to do if the restore fails after the drop: ' +
                '--rollback auto or --rollback never',
        );
      }
      const { guard, audit } = actionLayer(config, ctx.env);
      const services = await appServices(
        config.services,
        config.startOrder,
        ctx.serviceDeps ?? (await serviceDeps(config)),
      );
      const { report, restore } = await prepareRestore({
        backup: file,
        database: opts.db,
        conn: config.postgres,
        services,
        safetyRoot: safetyRootFor(config.backups.dir),
        catalogRoot: config.backups.dir,
        verifyQueries: config.backups.verifyQueries,
        existing: { ...existingContextOf(config), ownRoot: config.backups.dir },
        ...(opts.owner ? { owner: opts.owner } : {}),
        ...(ctx.env ? { tools: { env: ctx.env } } : {}),
      });
      out([`Preflight for restoring ${opts.db} from ${file}:`, ...formatChecks(report.checks)]);
      if (!restore) {
        await recordPreflightRefusal(audit, report, opts.db);
        ctx.stderr.write(`opsdeck: preflight failed; nothing was changed: ${opts.db} is untouched\n`);
        return ctx.setCode(1);
      }
      out(['', ...formatPlan(restore.plan, await restore.plan.blastRadius!(AbortSignal.timeout(15_000)))]);
      if (opts.dryRun) return out(['', 'Dry run: nothing was changed.']);

      const confirm = async (q: ConfirmRequest): Promise<string | null> => {
        if (q.stage === 'rollback') {
          if (opts.rollback !== 'ask') return opts.rollback === 'auto' ? 'yes' : null;
          return ask!(`${q.question} `);
        }
        if (opts.yes) return q.kind === 'type' ? q.expect : 'yes';
        return ask!(`${q.question} `);
      };
      const tty = ctx.stderr.isTTY === true;
      const seen = new Map<string, string>();
      const onUpdate = (s: RestoreSnapshot): void => {
        const all = [...s.steps, ...(s.recovery?.steps ?? [])];
        all.forEach((st, i) => {
          const key = `${st.status}${st.note ?? ''}${st.error ?? ''}`;
          if (st.status === 'pending' || seen.get(st.id) === key) return;
          seen.set(st.id, key);
          if (tty) ctx.stderr.write('\r\x1b[K');
          const n = i < s.steps.length ? s.steps.length : all.length - s.steps.length;
          const idx = i < s.steps.length ? i : i - s.steps.length;
          out([`${i < s.steps.length ? '' : 'rollback '}${formatStepLine(idx, n, st)}`]);
          if (st.status === 'running') out([`      ${st.description.text}`]);
        });
        const running = all.find((st) => st.status === 'running' && st.progress);
        if (tty && running) ctx.stderr.write(`\r\x1b[K${running.title}: ${formatStepProgress(running)}`);
      };
      const run = await withSignals((signal) =>
        executeRestore(restore, { guard, audit, confirm, confirmAt: 'start', onUpdate, signal }),
      );
      if (tty) ctx.stderr.write('\r\x1b[K');
      const snap = run.value;
      const cmp = snap.comparison;
      if (cmp) out(['', 'Verification:', ...formatComparison(cmp).map((l) => `  ${l}`)]);
      out(['', ...snap.summary]);
      if (snap.result !== 'succeeded') ctx.setCode(run.signal ? (EXIT_SIGNAL[run.signal] ?? 1) : 1);
    });

  program
    .command('drill')
    .description(
      'restore drill: restore a backup into a scratch database, verify it, record the result, drop it ' +
        '(default: the newest verified full backup of every configured database)',
    )
    .argument('[backup]', 'the backup file to drill')
    .option('--json', 'print one JSON object per drill')
    .action(async (backupArg: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      if (!config.postgres) return usage('no PostgreSQL target is configured (targets.postgres) to drill on');
      let files: string[];
      let missing: string[] = [];
      if (backupArg !== undefined) {
        const f = await resolveBackup(config, backupArg).then((x) => x ?? fetchOrSay(backupArg, config));
        if (f === null) return;
        if (!f) return usage(`no backup file ${backupArg}`);
        files = [f];
      } else {
        if (config.backups.databases.length === 0)
          return usage('nothing to drill: configure backups.databases or name a backup file');
        // Another tool's backups count once opsdeck verified them (backups.existing, the facts store).
        const newest = newestFull((await scanCatalog(config.backups.dir, undefined, withExisting(config))).entries);
        files = config.backups.databases.flatMap((d) => (newest.get(d) ? [newest.get(d)!.path] : []));
        missing = config.backups.databases.filter((d) => !newest.has(d));
      }
      const { guard, audit } = actionLayer(config, ctx.env);
      let failed = missing.length;
      for (const d of missing)
        ctx.stderr.write(`opsdeck: drill ${d}: FAILED: no verified full backup of ${d} in ${config.backups.dir}\n`);
      const run = await withSignals(async (signal) => {
        for (const backup of files) {
          const snap = await runDrill({
            backup,
            conn: config.postgres!,
            guard,
            audit,
            logPath: drillLogPath(config.backups.dir),
            verifyQueries: config.backups.verifyQueries,
            existing: { ...existingContextOf(config), ownRoot: config.backups.dir },
            signal,
            ...(ctx.env ? { tools: { env: ctx.env } } : {}),
          });
          if (opts.json)
            out([
              JSON.stringify({
                backup,
                scratch: snap.scratch,
                result: snap.result,
                record: snap.record ?? null,
                comparison: snap.comparison ?? null,
                summary: snap.summary,
              }),
            ]);
          else {
            out([formatDrillLine(snap)]);
            if (snap.result !== 'succeeded')
              out([
                ...formatChecks(snap.checks.filter((c) => c.status !== 'pass')),
                ...(snap.comparison && !snap.comparison.ok
                  ? formatComparison(snap.comparison).map((l) => `  ${l}`)
                  : []),
                ...snap.summary.slice(1).map((l) => `  ${l}`),
              ]);
          }
          if (snap.result !== 'succeeded') failed++;
          if (signal.aborted) break;
        }
      });
      if (run.signal) ctx.setCode(EXIT_SIGNAL[run.signal] ?? 1);
      else if (failed > 0) ctx.setCode(1);
    });
}

/** The newest verified full PostgreSQL backup per database. */
function newestFull(entries: readonly CatalogEntry[]): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  for (const e of entries) {
    if (!e.verified || e.kind !== 'full' || e.source.type !== 'postgres') continue;
    const cur = out.get(e.source.name);
    if (!cur || e.time > cur.time) out.set(e.source.name, e);
  }
  return out;
}

/** A path as given, or a file of that name anywhere in the catalog. */
async function resolveBackup(config: OpsdeckConfig, arg: string): Promise<string | undefined> {
  if (existsSync(arg)) return path.resolve(arg);
  const catalog = await scanCatalog(config.backups.dir, undefined, withExisting(config)).catch(() => undefined);
  // opsdeck's own first: a name in both places means the one opsdeck wrote.
  const hits = catalog?.entries.filter((e) => e.file === arg) ?? [];
  return (hits.find((e) => e.origin === 'opsdeck') ?? hits[0])?.path;
}

/** Scan options listing another tool's backups with what opsdeck learned about them. */
function withExisting(config: OpsdeckConfig): { existing: OpsdeckConfig['backups']['existing']; facts: string } {
  return { existing: config.backups.existing, facts: factsPath(config.stateDir) };
}

async function serviceDeps(config: OpsdeckConfig): Promise<ServiceDeps> {
  const { healthChecker } = await import('../app/health-checker.js');
  const health = healthChecker(config);
  const withHealth = health ? { health } : {};
  const app = config.services.filter((s) => s.group === 'application');
  if (!config.docker || !app.some((s) => s.container !== undefined)) return withHealth;
  const { dockerClient } = await import('../docker/client.js');
  return { docker: dockerClient(config.docker), stopTimeoutMs: config.docker.stopTimeout, ...withHealth };
}
