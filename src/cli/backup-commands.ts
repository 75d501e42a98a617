// `opsdeck backup`, `opsdeck backups`, `opsdeck verify FILE`, `opsdeck prune`: the backup layer
// from the command line, for operators and for cron. Backups and prunes run as audited plans;
// any failure exits non-zero with one line on stderr; Ctrl-C or SIGTERM cancels cleanly (nothing
// published, temp file removed) and exits 130/143. Progress is one updating line on stderr when
// it is a terminal, nothing otherwise. `opsdeck verify` is audited too (backup.verify) and runs in
// read-only mode: it writes only the sidecar's lastVerify.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { confirmationFor, isConfirmed } from '../plan/confirm.js';
import { executePlan } from '../plan/execute.js';
import { formatPlan, type PlanOutcome } from '../plan/plan.js';
import { alignRows, catalogJson, catalogRows } from '../backup/catalog-format.js';
import { scanCatalog } from '../backup/catalog.js';
import { existingContextOf, existingEntryOf, existingVerifyPlan } from '../backup/existing-verify.js';
import { plansFromConfig, SelectionError } from '../backup/from-config.js';
import { safetyRootFor } from '../backup/naming.js';
import { prunePlan, verifyPlan, type BackupPlan } from '../backup/plans.js';
import { formatProgress } from '../backup/progress.js';
import type { BackupProgress } from '../backup/types.js';
import { formatPruneReport, pruneReport } from '../backup/prune.js';
import { describePolicy, retentionPolicy, SAFETY_KEEP_DAYS, SAFETY_KEEP_NEWEST } from '../backup/retention.js';
import { actionLayer, withSignals, type CommandContext } from './action-runtime.js';
import { drillSummaries } from '../backup/drill-log.js';
import { terminalAsk } from './ask.js';
import { copyAfterBackup, registerOffsiteCommand } from './offsite-commands.js';

export type BackupCommandContext = CommandContext;

const EXIT_USAGE = 2;
const EXIT_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

interface BackupOpts {
  db?: string[];
  files?: string[];
  kind: 'full' | 'data';
  format?: 'plain' | 'custom';
  preflight: boolean;
  json?: boolean;
  /** False with --no-offsite: no off-host copy after publishing. */
  offsite: boolean;
}

/** Adds the backup commands to `program`. */
export function registerBackupCommands(program: Command, ctx: BackupCommandContext): void {
  const usage = (msg: string): void => {
    ctx.stderr.write(`opsdeck: ${msg}\n`);
    ctx.setCode(EXIT_USAGE);
  };
  const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

  program
    .command('backup')
    .description(
      'back up the configured databases and file sets (or those named), verify, publish; exit 1 on any failure',
    )
    .option('--db <name>', 'back up this database (repeatable; default: backups.databases)', collect)
    .option('--files <name>', 'back up this configured file set (repeatable; default: all of backups.files)', collect)
    .addOption(
      new Option('--kind <kind>', 'database backup kind: full (schema and data) or data (data only)')
        .choices(['full', 'data'])
        .default('full'),
    )
    .addOption(
      new Option('--format <format>', 'database dump format (default: backups.format)').choices(['plain', 'custom']),
    )
    .option('--no-preflight', 'skip the free-space check')
    .option('--json', 'print one JSON object per backup instead of a line')
    .option('--no-offsite', 'do not copy the new backups to backups.offsite now (opsdeck offsite copies them later)')
    .action(async (opts: BackupOpts, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      const tty = ctx.stderr.isTTY === true;
      let plans: BackupPlan[];
      try {
        plans = plansFromConfig(config, {
          ...(opts.db ? { databases: opts.db } : {}),
          ...(opts.files ? { files: opts.files } : {}),
          kind: opts.kind,
          ...(opts.format ? { format: opts.format } : {}),
          skipPreflight: !opts.preflight,
          ...(ctx.env ? { env: ctx.env } : {}),
          // One line that rewrites itself; cut to the width so it never wraps (a wrapped line cannot be rewritten).
          ...(tty
            ? {
                onProgress: (key: string, p: BackupProgress) =>
                  ctx.stderr.write(`\r\x1b[K${formatProgress(key, p).slice(0, (ctx.stderr.columns ?? 80) - 1)}`),
              }
            : {}),
        });
      } catch (err) {
        if (err instanceof SelectionError) return usage(err.message);
        throw err;
      }
      const failed = await withSignals(async (signal) => {
        let failures = 0;
        const published: string[] = [];
        const { guard, audit } = actionLayer(config, ctx.env);
        for (const [i, bp] of plans.entries()) {
          const outcome = await executePlan(bp.plan, { guard, audit, signal });
          if (tty) ctx.stderr.write('\r\x1b[K');
          reportBackup(ctx, bp, outcome, opts.json === true);
          if (outcome.result !== 'succeeded') failures++;
          else if (bp.record()) published.push(bp.record()!.path);
          if (signal.aborted) {
            const rest = plans.slice(i + 1).map((p) => p.plan.target);
            if (rest.length > 0) ctx.stderr.write(`opsdeck: not started (cancelled): ${rest.join(', ')}\n`);
            break;
          }
        }
        // Off-host copies after every backup is published; they never change the exit code.
        if (opts.offsite && !signal.aborted) await copyAfterBackup(ctx, config, published, signal);
        return failures;
      });
      if (failed.signal) ctx.setCode(EXIT_SIGNAL[failed.signal] ?? 1);
      else if (failed.value > 0) ctx.setCode(1);
    });

  program
    .command('backups')
    .description(
      'list the backups in the backup directory and in backups.existing: time, kind, source, size, age, verified, ' +
        'last restore drill of the source',
    )
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      const existing = existingContextOf(config);
      // Another tool's directories are listed here (read only); prune below scans without them.
      const catalog = await scanCatalog(config.backups.dir, undefined, {
        existing: config.backups.existing,
        facts: existing.factsFile,
      });
      if (config.backups.offsite) {
        const { addOffsiteCopies } = await import('../backup/offsite.js');
        await addOffsiteCopies(catalog, config.backups.offsite);
      }
      // An unreadable drill log must not hide the backups: the column then says "never" and a problem line says why.
      const drills = await drillSummaries(config.backups.dir).catch((err: Error) => {
        catalog.problems.push(`drill log unreadable: ${err.message}`);
        return undefined;
      });
      const now = Date.now();
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(catalogJson(catalog, now, drills))}\n`);
        return;
      }
      if (catalog.entries.length === 0) ctx.stdout.write(`No backups in ${catalog.root}.\n`);
      else ctx.stdout.write(`${alignRows(catalogRows(catalog.entries, now, drills)).join('\n')}\n`);
      for (const p of catalog.partials)
        ctx.stdout.write(`${p.alive ? 'in progress' : 'abandoned'}: ${p.path} (pid ${p.pid ?? '?'})\n`);
      for (const p of catalog.problems) ctx.stdout.write(`problem: ${p}\n`);
    });

  program
    .command('verify')
    .description(
      're-verify a backup file (checksum, full decompression, completion marker / pg_restore, tar entries); ' +
        'exit 1 if it fails; audited, allowed in read-only mode',
    )
    .argument('<file>', 'the backup file (.sql.gz, .dump or .tar.gz)')
    .option('--json', 'print the result as JSON')
    .action(async (fileArg: string, opts: { json?: boolean }, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      const file = path.resolve(fileArg);
      // Another tool's backup (backups.existing): checked as it is, the result kept in opsdeck's state directory.
      const existing = existingContextOf(config);
      const entry = await existingEntryOf(file, existing, config.backups.dir).catch(() => undefined);
      const vp = entry ? existingVerifyPlan(entry, existing.factsFile) : verifyPlan(file);
      const { guard, audit } = actionLayer(config, ctx.env);
      const run = await withSignals((signal) => executePlan(vp.plan, { guard, audit, signal }));
      for (const w of run.value.warnings) ctx.stderr.write(`opsdeck: warning: ${w}\n`);
      if (run.signal) return ctx.setCode(EXIT_SIGNAL[run.signal] ?? 1);
      const r = vp.report();
      if (!r) {
        ctx.stderr.write(`opsdeck: cannot verify ${fileArg}: ${run.value.error ?? run.value.result}\n`);
        return ctx.setCode(1);
      }
      if (opts.json) ctx.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        for (const c of r.checks) ctx.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
        const where = r.recordedIn
          ? ` (written by another tool: no checksum was recorded at backup time; result recorded in ${r.recordedIn})`
          : r.recorded
            ? ''
            : ' (result not recorded: no sidecar)';
        ctx.stdout.write(`${r.ok ? 'verified' : 'NOT VERIFIED'}: ${file}${where}\n`);
      }
      if (!r.ok) ctx.setCode(1);
    });

  program
    .command('prune')
    .description(
      'delete backups past the retention policy (never the newest verified one of a source) ' +
        'and old safety dumps of restores (never one under 24 h)',
    )
    .option('--dry-run', 'list what would be deleted and why, delete nothing')
    .option('--yes', 'do not ask for confirmation (cron)')
    .action(async (opts: { dryRun?: boolean; yes?: boolean }, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      const policy = retentionPolicy(config.backups.retention);
      const catalog = await scanCatalog(config.backups.dir);
      const safety = await scanCatalog(safetyRootFor(config.backups.dir));
      const now = Date.now();
      const report = pruneReport(catalog, policy, now, safety);
      const plan = prunePlan(catalog, report);
      if (opts.dryRun || plan.steps.length === 0) {
        const keep = `newest ${SAFETY_KEEP_NEWEST} verified per database or ${SAFETY_KEEP_DAYS} days`;
        const safetyRule =
          report.safety.length > 0 ? `; safety dumps: ${keep}, whichever keeps more, never within 24 h` : '';
        const heading = `Retention ${describePolicy(policy)}${safetyRule} — ${catalog.root}`;
        ctx.stdout.write(`${heading}\n${formatPruneReport(report, now).join('\n')}\n`);
        return;
      }
      if (!opts.yes) {
        const ask = terminalAsk(ctx.ask);
        if (!ask) return usage('prune deletes backups: pass --yes to confirm (see what would go with --dry-run)');
        ctx.stdout.write(`${formatPlan(plan).join('\n')}\n`);
        const c = confirmationFor(plan);
        if (c.kind !== 'none' && !isConfirmed(c, await ask(`${c.question} `))) {
          ctx.stdout.write('Nothing was deleted.\n');
          return ctx.setCode(1);
        }
      }
      const { guard, audit } = actionLayer(config, ctx.env);
      const run = await withSignals((signal) => executePlan(plan, { guard, audit, signal }));
      const outcome = run.value;
      ctx.stdout.write(`${outcome.summary.join('\n')}\n`);
      if (outcome.result !== 'succeeded') {
        ctx.stderr.write(`opsdeck: prune ${outcome.result}${outcome.error ? `: ${outcome.error}` : ''}\n`);
        ctx.setCode(run.signal ? (EXIT_SIGNAL[run.signal] ?? 1) : 1);
      }
    });

  registerOffsiteCommand(program, ctx);
}

function reportBackup(ctx: BackupCommandContext, bp: BackupPlan, outcome: PlanOutcome, json: boolean): void {
  const rec = bp.record();
  const kind = bp.job.kind === 'files' ? 'files' : bp.job.kind === 'data' ? 'data-only' : 'full';
  const label = `${kind} backup of ${bp.plan.target}`;
  const secs = (outcome.durationMs / 1000).toFixed(1);
  if (json) {
    const report = {
      source: bp.plan.target,
      kind: bp.job.kind,
      format: bp.job.format,
      result: outcome.result,
      path: rec?.path ?? null,
      size: rec?.meta.size ?? null,
      sha256: rec?.meta.sha256 ?? null,
      durationMs: outcome.durationMs,
      error: outcome.error ?? null,
    };
    ctx.stdout.write(`${JSON.stringify(report)}\n`);
  } else if (rec) {
    const digest = `sha256 ${rec.meta.sha256.slice(0, 12)}…`;
    ctx.stdout.write(`ok  ${label}: ${rec.path} (${rec.meta.size} bytes, ${digest}, ${secs} s, verified)\n`);
  }
  if (outcome.result !== 'succeeded') {
    const verdict = outcome.result === 'refused' ? 'refused' : outcome.result === 'cancelled' ? 'CANCELLED' : 'FAILED';
    const why = outcome.error ?? outcome.summary[0] ?? '';
    ctx.stderr.write(`opsdeck: ${label} ${verdict}: ${why}; nothing was published\n`);
  }
  for (const w of outcome.warnings) ctx.stderr.write(`opsdeck: warning: ${w}\n`);
}
