// `opsdeck container …`, `opsdeck service …`, `opsdeck redis cleanup` and `opsdeck audit`: the action layer from the
// command line. Same plans, guard and audit trail as the console; the plan is printed before it
// runs, and a yes is asked on the terminal (or given with --yes) — never assumed.
import { type Command, InvalidArgumentError } from 'commander';
import type { AuditEntry } from '../plan/audit.js';
import type { Plan, PlanOutcome, PlanRun } from '../plan/plan.js';
import type { OpsdeckConfig } from '../config/resolve.js';
import { seconds } from '../present/format.js';

// The action modules pull in the Docker client, pg and ioredis: they are loaded when a command runs,
// so registering these commands costs `opsdeck status` nothing.
const actions = async () => {
  const [audit, blast, confirm, containers, docker, dockerErrors, errors, execute, guard, plan, services] =
    await Promise.all([
      import('../plan/audit.js'),
      import('../actions/blast-radius.js'),
      import('../plan/confirm.js'),
      import('../actions/containers.js'),
      import('../docker/client.js'),
      import('../actions/docker-errors.js'),
      import('../plan/errors.js'),
      import('../plan/execute.js'),
      import('../plan/guard.js'),
      import('../plan/plan.js'),
      import('../actions/services.js'),
    ]);
  const pgSessions = await import('../actions/pg-sessions.js');
  return {
    ...audit,
    ...blast,
    ...confirm,
    ...containers,
    ...docker,
    ...dockerErrors,
    ...errors,
    ...execute,
    ...guard,
    ...plan,
    ...services,
    ...pgSessions,
  };
};
type Actions = Awaited<ReturnType<typeof actions>>;

type Out = NodeJS.WritableStream & { isTTY?: boolean };

export interface ActionCommandContext {
  loadConfig: () => Promise<OpsdeckConfig>;
  stdout: Out;
  stderr: Out;
  setCode: (code: number) => void;
  /** Where answers come from (default process.stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

interface RunFlags {
  dryRun?: boolean;
  yes?: boolean;
}

const EXIT_FAILED = 1;
const EXIT_REFUSED = 2;

/** Adds the container, service and audit subcommands to `program`. */
export function registerActionCommands(program: Command, ctx: ActionCommandContext): void {
  const container = program.command('container').description('start, stop or restart a Docker container');
  for (const verb of ['start', 'stop', 'restart'] as const) {
    container
      .command(`${verb} <name>`)
      .description(`${verb} container <name>${verb === 'start' ? '' : ' (asks for a yes)'}`)
      .option('--dry-run', 'print what would be done, and do nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .action(async (name: string, flags: RunFlags) => {
        const config = await ctx.loadConfig();
        if (!config.docker)
          return fail(
            ctx,
            'Docker is not configured and no engine was found (set targets.docker or DOCKER_HOST)',
            EXIT_REFUSED,
          );
        const a = await actions();
        const plan = a.containerPlan(a.dockerClient(config.docker), verb, name, {
          stopTimeoutMs: config.docker.stopTimeout,
        });
        await runPlan(a, ctx, config, plan, flags);
      });
  }

  const pgCmd = program.command('pg').description('cancel the query of, or terminate, a PostgreSQL session');
  for (const verb of ['cancel', 'terminate'] as const) {
    pgCmd
      .command(`${verb} <pid>`)
      .description(
        verb === 'cancel'
          ? "cancel session <pid>'s query (pg_cancel_backend, asks for a yes)"
          : 'terminate session <pid> (pg_terminate_backend, asks for a yes)',
      )
      .option('--dry-run', 'print what would be done, and do nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .action(async (pidText: string, flags: RunFlags) => {
        const config = await ctx.loadConfig();
        if (!config.postgres)
          return fail(ctx, 'PostgreSQL is not configured (set targets.postgres or PGHOST)', EXIT_REFUSED);
        const a = await actions();
        let pid: number;
        try {
          pid = a.parsePid(pidText);
        } catch (err) {
          return fail(ctx, a.errorText(err), EXIT_FAILED);
        }
        await runPlan(a, ctx, config, a.pgSessionPlan(config.postgres, verb, pid), flags);
      });
  }

  const service = program
    .command('service')
    .description('start or stop configured services (SPEC §2 order with --all)');
  for (const verb of ['restart', 'reload'] as const) {
    service
      .command(`${verb} <name>`)
      .description(
        verb === 'restart'
          ? 'restart one service (systemctl restart, container restart, compose restart, or its commands), ' +
              'then its health checks'
          : 'reload one service (systemctl reload, or its reload command), then its health checks',
      )
      .option('--dry-run', 'print what would be done, and do nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .action(async (name: string, flags: RunFlags) => {
        const config = await ctx.loadConfig();
        if (config.services.length === 0)
          return fail(ctx, 'no services are configured (add a services: list to the config)', EXIT_REFUSED);
        const a = await actions();
        let plan: Plan;
        try {
          plan = await a.servicePlan(config.services, verb, name, await cliServiceDeps(a, config));
        } catch (err) {
          return fail(ctx, a.errorText(err), EXIT_REFUSED);
        }
        await runPlan(a, ctx, config, plan, flags);
      });
  }
  for (const verb of ['start', 'stop'] as const) {
    service
      .command(`${verb} [name]`)
      .description(
        verb === 'start'
          ? 'start one service, or --all in the configured order then a health check'
          : 'stop one service, or --all in reverse order then a status check',
      )
      .option('--all', `${verb} every configured service in order`)
      .option('--dry-run', 'print what would be done, and do nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .action(async (name: string | undefined, flags: RunFlags & { all?: boolean }) => {
        if ((name === undefined) === (flags.all !== true))
          return fail(ctx, `service ${verb}: give either a service name or --all`, EXIT_REFUSED);
        const config = await ctx.loadConfig();
        if (config.services.length === 0)
          return fail(ctx, 'no services are configured (add a services: list to the config)', EXIT_REFUSED);
        const a = await actions();
        const deps = await cliServiceDeps(a, config);
        let plan: Plan;
        try {
          plan = flags.all
            ? await a.allServicesPlan(config.services, verb, config.startOrder, deps)
            : await a.servicePlan(config.services, verb, name!, deps);
        } catch (err) {
          return fail(ctx, a.errorText(err), EXIT_REFUSED);
        }
        await runPlan(a, ctx, config, plan, flags);
      });
  }

  program
    .command('redis')
    .description('Redis maintenance')
    .command('cleanup <pattern>')
    .description('delete the keys under <pattern> that have no TTL (the daily `cache:*` clean-up; asks for a yes)')
    .option('--dry-run', 'count the keys and show a sample, and delete nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (pattern: string, flags: RunFlags) => {
      const config = await ctx.loadConfig();
      if (!config.redis) return fail(ctx, 'Redis is not configured (set targets.redis)', EXIT_REFUSED);
      if (pattern.trim() === '') return fail(ctx, 'redis cleanup: give a key pattern, e.g. "cache:*"', EXIT_REFUSED);
      const [a, { redisCleanupPlan }, { redisClient }, { redisEndpoint }] = await Promise.all([
        actions(),
        import('../actions/redis-cleanup.js'),
        import('../actions/redis-client.js'),
        import('../probes/redis.js'),
      ]);
      const client = redisClient(config.redis);
      try {
        await client.connect();
      } catch (err) {
        client.disconnect();
        return fail(ctx, `cannot reach ${redisEndpoint(config.redis)}: ${a.errorText(err)}`, EXIT_FAILED);
      }
      try {
        await runPlan(
          a,
          ctx,
          config,
          redisCleanupPlan(client, pattern, { endpoint: redisEndpoint(config.redis) }),
          flags,
        );
      } finally {
        client.disconnect();
      }
    });

  program
    .command('audit')
    .description('print the latest entries of the audit trail')
    .option('-n, --limit <n>', 'how many entries (default 20)', positiveInt, 20)
    .option('--json', 'print the raw JSON lines')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const config = await ctx.loadConfig();
      const { readAudit } = await import('../plan/audit.js');
      const entries = await readAudit(config.auditPath, opts.limit);
      if (opts.json) for (const e of entries) ctx.stdout.write(`${JSON.stringify(e)}\n`);
      else if (entries.length === 0) ctx.stdout.write(`no entries yet in ${config.auditPath}\n`);
      else for (const e of entries) ctx.stdout.write(`${formatAuditEntry(e)}\n`);
    });
}

/** What service plans run with from the command line: Docker, database clients, the health checks. */
async function cliServiceDeps(a: Actions, config: OpsdeckConfig) {
  const { healthChecker } = await import('../app/health-checker.js');
  const health = healthChecker(config);
  return {
    docker: config.docker ? a.dockerClient(config.docker) : null,
    stopTimeoutMs: config.docker?.stopTimeout ?? 10_000,
    clientsOf: a.databaseClientsOf(config),
    ...(health ? { health } : {}),
  };
}

/** One audit entry as one line: time, who, event, action target, duration, error or reason. */
export function formatAuditEntry(e: AuditEntry): string {
  const { user, sudoUser, origin } = e.operator;
  const who = `${sudoUser ? `${sudoUser}(${user})` : user}${origin ? `@${origin}` : ''}`;
  const extra = [e.durationMs !== undefined ? seconds(e.durationMs) : '', e.error ?? e.reason ?? '']
    .filter(Boolean)
    .join(' — ');
  return `${e.time}  ${who}  ${e.event.padEnd(9)}  ${e.action} ${e.target}${extra ? `  (${extra})` : ''}`;
}

function fail(ctx: ActionCommandContext, message: string, code: number): void {
  ctx.stderr.write(`opsdeck: ${message}\n`);
  ctx.setCode(code);
}

async function runPlan(
  a: Actions,
  ctx: ActionCommandContext,
  config: OpsdeckConfig,
  plan: Plan,
  flags: RunFlags,
): Promise<void> {
  const blast = plan.blastRadius
    ? await plan
        .blastRadius(AbortSignal.timeout(10_000))
        .catch((err: unknown) => [`blast radius unknown: ${a.errorText(err)}`])
    : [];
  const text = a.formatPlan(plan, blast).join('\n');
  if (flags.dryRun) {
    ctx.stdout.write(`${text}\n(dry run: nothing was done)\n`);
    return;
  }
  const { createActionLayer } = await import('../app/action-layer.js');
  const { guard, audit } = createActionLayer(config, { timer: false });
  const verdict = guard.check(plan);
  if (verdict.ok) {
    ctx.stderr.write(`${text}\n`);
    const answer = await confirm(a, ctx, plan, flags);
    if (answer !== true) {
      await audit
        .record({ event: 'refused', action: plan.action, target: plan.target, reason: answer })
        .catch(() => undefined);
      return fail(ctx, `${plan.action} ${plan.target}: ${answer}`, EXIT_REFUSED);
    }
  }
  // A refused plan also goes through executePlan: the refusal is decided and audited there.
  const ac = new AbortController();
  const onSigint = (): void => {
    ctx.stderr.write('\ncancelling… (steps that cannot be interrupted finish first)\n');
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  let outcome: PlanOutcome;
  try {
    outcome = await a.executePlan(plan, { guard, audit, signal: ac.signal, onUpdate: progressPrinter(ctx.stderr) });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  ctx.stdout.write(`${outcome.summary.join('\n')}\n`);
  ctx.setCode(outcome.result === 'succeeded' ? 0 : outcome.result === 'refused' ? EXIT_REFUSED : EXIT_FAILED);
}

/** Resolves to true, or to the reason there was no yes. */
async function confirm(a: Actions, ctx: ActionCommandContext, plan: Plan, flags: RunFlags): Promise<true | string> {
  const c = a.confirmationFor(plan);
  if (c.kind === 'none') return true;
  if (c.kind === 'yes' && flags.yes) return true;
  const stdin = ctx.stdin ?? process.stdin;
  if (!stdin.isTTY) {
    return c.kind === 'type'
      ? 'not confirmed: this action destroys data and needs the name typed in a terminal (--yes is not enough)'
      : 'not confirmed: no terminal to ask on; run it in a terminal or pass --yes';
  }
  // Ctrl-C, Ctrl-D and end of input answer "" (a no) instead of hanging or throwing.
  const { askOnTerminal } = await import('./ask.js');
  const answer = await askOnTerminal(`${c.question} `, { input: stdin, output: ctx.stderr, terminal: true });
  return a.isConfirmed(c, answer) ? true : 'not confirmed by the operator';
}

/** Prints each step as it changes state: "[2/5] running: start redis". */
function progressPrinter(out: Out): (run: PlanRun) => void {
  const last = new Map<string, string>();
  return (run) => {
    run.steps.forEach((s, i) => {
      if (last.get(s.id) === s.status || s.status === 'pending') return;
      last.set(s.id, s.status);
      const tail =
        s.status === 'failed' || s.status === 'cancelled' ? ` — ${s.error ?? ''}` : s.note ? ` — ${s.note}` : '';
      out.write(`[${i + 1}/${run.steps.length}] ${s.status}: ${s.title}${tail}\n`);
    });
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}
