// `opsdeck restore-files BACKUP [--only ENTRY] [--to PATH] [--dry-run] [--yes]`: a file-set restore
// without the console, from opsdeck's own files backups and another tool's tar (and
// env.production_TS) backups. Prints the preflight and the plan, asks for the target path typed
// (or takes --yes), and exits 0 only when the files were restored and verified; 1 on any failure
// (the safety copy is put back and the summary says so), 2 on bad input or when it would have to
// ask without a terminal, 130/143 on SIGINT/SIGTERM. All audited; read-only mode refuses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { confirmationFor, isConfirmed } from '../plan/confirm.js';
import { executePlan } from '../plan/execute.js';
import { formatPlan, stepTexts, type PlanRun } from '../plan/plan.js';
import type { ServiceDeps } from '../actions/services.js';
import { scanCatalog } from '../backup/catalog.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import { prepareFileRestore, recordFileRefusal } from '../restore/files/plan.js';
import { fileRestoreConfig } from '../restore/files/source.js';
import { formatChecks, formatStepLine } from '../restore/format.js';
import { actionLayer, withSignals, type CommandContext } from './action-runtime.js';
import { terminalAsk } from './ask.js';

export interface FileRestoreCommandContext extends CommandContext {
  serviceDeps?: ServiceDeps;
}

interface Opts {
  only?: string;
  to?: string;
  dryRun?: boolean;
  yes?: boolean;
}

const EXIT_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Adds `restore-files` to `program`. */
export function registerFileRestoreCommands(program: Command, ctx: FileRestoreCommandContext): void {
  const out = (lines: string[]): void => void ctx.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
  program
    .command('restore-files')
    .description(
      'restore a file set from a files backup (opsdeck or another tool tar/env file): preflight, stop its ' +
        'services, safety copy, extract, verify every file, start, health check; rolled back on failure',
    )
    .argument('<backup>', 'the backup file, or its file name in the catalog')
    .option('--only <entry>', 'restore only this file (its path in the archive or where it restores to)')
    .option('--to <path>', 'restore to this path instead of the configured one')
    .option('--dry-run', 'print the preflight and the plan, change nothing')
    .option('--yes', 'do not ask for the target path (scripted recovery)')
    .action(async (arg: string, opts: Opts, cmd: Command) => {
      const usage = (msg: string): void => {
        ctx.stderr.write(`opsdeck: ${msg}\n`);
        ctx.setCode(2);
      };
      const config = await ctx.loadConfig(cmd);
      const file = await resolveBackup(config, arg);
      if (!file) return usage(`no backup file ${arg} (neither a path nor a file in the catalog)`);
      const ask = terminalAsk(ctx.ask);
      if (!opts.dryRun && !ask && !opts.yes)
        return usage('restore-files replaces files: run it on a terminal to type the target path, or pass --yes');
      const { guard, audit } = actionLayer(config, ctx.env);
      const { checks, restore } = await prepareFileRestore({
        backup: file,
        config: fileRestoreConfig(config),
        audit,
        ...(opts.only !== undefined ? { only: opts.only } : {}),
        ...(opts.to !== undefined ? { to: opts.to } : {}),
        serviceDeps: ctx.serviceDeps ?? (await serviceDeps(config)),
      });
      out([`Preflight for restoring files from ${file}:`, ...formatChecks(checks)]);
      if (!restore) {
        await recordFileRefusal(audit, checks, opts.to ?? file);
        ctx.stderr.write('opsdeck: preflight failed; nothing was changed\n');
        return ctx.setCode(1);
      }
      const { plan } = restore;
      out(['', ...formatPlan(plan, await plan.blastRadius!(AbortSignal.timeout(15_000)))]);
      if (opts.dryRun) return out(['', 'Dry run: nothing was changed.']);
      const c = confirmationFor(plan);
      if (!opts.yes) {
        const answer = await ask!(`${c.kind === 'none' ? '' : c.question} `);
        if (!isConfirmed(c, answer)) {
          await audit
            .record({
              event: 'refused',
              action: plan.action,
              target: plan.target,
              steps: stepTexts(plan),
              reason: 'declined by the operator',
            })
            .catch(() => undefined);
          out(['Declined: nothing was done.']);
          return ctx.setCode(1);
        }
      }
      const seen = new Map<string, string>();
      const onUpdate = (run: PlanRun): void => {
        run.steps.forEach((st, i) => {
          const key = `${st.status}${st.note ?? ''}${st.error ?? ''}`;
          if (st.status === 'pending' || seen.get(st.id) === key) return;
          seen.set(st.id, key);
          out([formatStepLine(i, run.steps.length, st)]);
        });
      };
      const run = await withSignals((signal) => executePlan(plan, { guard, audit, onUpdate, signal }));
      out(['', ...run.value.summary]);
      if (run.value.result !== 'succeeded') ctx.setCode(run.signal ? (EXIT_SIGNAL[run.signal] ?? 1) : 1);
    });
}

/** A path as given, or a file of that name in the catalog (opsdeck's own and backups.existing). */
async function resolveBackup(config: OpsdeckConfig, arg: string): Promise<string | undefined> {
  if (existsSync(arg)) return path.resolve(arg);
  const cat = await scanCatalog(config.backups.dir, undefined, { existing: config.backups.existing }).catch(
    () => undefined,
  );
  return cat?.entries.find((e) => e.file === arg)?.path;
}

/** A Docker client for services run as containers, when Docker is configured. */
async function serviceDeps(config: OpsdeckConfig): Promise<ServiceDeps> {
  const { healthChecker } = await import('../app/health-checker.js');
  const health = healthChecker(config);
  const withHealth = health ? { health } : {};
  if (!config.docker || !config.services.some((s) => s.container !== undefined)) return withHealth;
  const { dockerClient } = await import('../docker/client.js');
  return { docker: dockerClient(config.docker), stopTimeoutMs: config.docker.stopTimeout, ...withHealth };
}
