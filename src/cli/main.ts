// The command line: parsing with commander, one clear line and exit code 2 for bad input,
// and lazy loading so that `status` never pays for ink and react.
import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { ConfigError } from '../config/load.js';
import { loadConfig, redactConfig, type OpsdeckConfig } from '../config/resolve.js';
import { mark } from '../util/trace.js';

mark('main');
export const VERSION: string = pkg.version;

/** Exit codes: 0 ok, 1 warning (status) or runtime failure, 2 usage or configuration error. */
export const EXIT_USAGE = 2;

interface GlobalOptions {
  config?: string;
  readOnly?: boolean;
  printConfig?: boolean;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let code = 0;
  const setCode = (c: number) => {
    code = c;
  };
  const program = buildProgram(io, setCode);
  try {
    await registerLazyCommands(program, argv, io, setCode);
    for (const sub of program.commands)
      sub.exitOverride().showSuggestionAfterError(true).configureOutput(program.configureOutput());
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      // commander has already written its one line ("error: unknown option '--x'").
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`opsdeck: configuration error\n${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`opsdeck: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`opsdeck: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Bad input on the command line that the parser could not catch itself. */
export class UsageError extends Error {}

function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('opsdeck');
  const seeHelp = '(see opsdeck --help)';
  program
    .description('A terminal operations console: host, Docker, PostgreSQL and Redis against documented thresholds.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .option(
      '-c, --config <path>',
      'configuration file (default: $OPSDECK_CONFIG, ./opsdeck.yaml, $XDG_CONFIG_HOME/opsdeck/config.yaml)',
    )
    .option('--read-only', 'refuse every state-changing action')
    .showSuggestionAfterError(true)
    // The console's catch-all argument exists only to name unknown commands; keep it out of help.
    .configureHelp({
      subcommandTerm: (c) => (c.name() === 'console' ? 'console [options]' : new Help().subcommandTerm(c)),
    })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`opsdeck: ${s.replace(/^error: /, '').trim()} ${seeHelp}\n`),
    });

  const load = async (cmd: Command): Promise<OpsdeckConfig> => {
    const opts = cmd.optsWithGlobals<GlobalOptions>();
    return loadConfig({
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
      env: io.env,
      readOnly: opts.readOnly === true,
    });
  };

  program
    .command('console', { isDefault: true })
    .description('the full-screen console (the default command)')
    .option('--print-config', 'print the effective configuration (secrets redacted) and exit')
    .argument('[unknown...]')
    .action(async (unknown: string[], _opts: GlobalOptions, cmd: Command) => {
      if (unknown.length > 0) throw new UsageError(unknownCommand(unknown[0]!, program));
      // Start loading the console (ink, react) while the config is read: first frame sooner.
      const consoleModule =
        io.stdout.isTTY && !cmd.opts<GlobalOptions>().printConfig ? import('../ui/run-console.js') : undefined;
      consoleModule?.catch(() => undefined);
      const config = await load(cmd);
      mark('config');
      if (cmd.opts<GlobalOptions>().printConfig) {
        io.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
        return;
      }
      if (!io.stdout.isTTY) {
        io.stderr.write(
          'opsdeck: the console needs a terminal (stdout is not a TTY); ' +
            'for a one-shot health check run `opsdeck status` (or `opsdeck status --json`).\n',
        );
        setCode(EXIT_USAGE);
        return;
      }
      const { runConsole } = await (consoleModule ?? import('../ui/run-console.js'));
      mark('console-loaded');
      setCode(await runConsole(config));
    });

  program
    .command('status')
    .description(
      'read every target once, print a table and exit with the worst level (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)',
    )
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = await load(cmd);
      const { runStatus } = await import('./status.js');
      setCode(await runStatus({ config, json: opts.json === true, stdout: io.stdout }));
    });

  program
    .command('config')
    .description('print the effective configuration with secrets redacted')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await load(cmd);
      io.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    });

  program
    .command('demo')
    .description('start throwaway PostgreSQL, Redis and Docker, seed them, and run the console against them')
    .addOption(
      new Option('--keep-seconds <n>', 'with stdout not a TTY: keep the sandbox up this long, then clean up').argParser(
        positiveInt,
      ),
    )
    .action(async (opts: { keepSeconds?: number }, cmd: Command) => {
      const { runDemo } = await import('./demo.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      setCode(
        await runDemo({
          readOnly: g.readOnly === true,
          keepSeconds: opts.keepSeconds,
          stdout: io.stdout,
          stderr: io.stderr,
        }),
      );
    });

  return program;
}

// Action, backup and restore commands pull in pg, tar and friends: their modules are loaded only
// when the command line names one of them (or asks for help), so the console and `status` start
// without paying for them.
const LAZY_COMMANDS: Record<string, 'actions' | 'backup' | 'restore' | 'logs'> = {
  container: 'actions',
  service: 'actions',
  audit: 'actions',
  redis: 'actions',
  backup: 'backup',
  backups: 'backup',
  verify: 'backup',
  prune: 'backup',
  offsite: 'backup',
  restore: 'restore',
  drill: 'restore',
  'restore-files': 'restore',
  logs: 'logs',
};

function firstWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--config') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

async function registerLazyCommands(
  program: Command,
  argv: string[],
  io: Io,
  setCode: (code: number) => void,
): Promise<void> {
  const word = firstWord(argv);
  const known = new Set(program.commands.map((c) => c.name()));
  const wanted = new Set<string>();
  if (word !== undefined && LAZY_COMMANDS[word]) wanted.add(LAZY_COMMANDS[word]);
  else if (
    (word === undefined && argv.some((a) => a === '-h' || a === '--help')) ||
    word === 'help' ||
    (word !== undefined && !known.has(word))
  ) {
    for (const group of Object.values(LAZY_COMMANDS)) wanted.add(group);
  }
  const loadConfigFor = (cmd?: Command): Promise<OpsdeckConfig> => {
    const opts = (cmd ?? program).optsWithGlobals<GlobalOptions>();
    return loadConfig({
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
      env: io.env,
      readOnly: opts.readOnly === true,
    });
  };
  const ctx = { stdout: io.stdout, stderr: io.stderr, setCode, env: io.env };
  if (wanted.has('actions')) {
    const { registerActionCommands } = await import('./action-commands.js');
    registerActionCommands(program, { ...ctx, loadConfig: loadConfigFor });
  }
  if (wanted.has('backup')) {
    const { registerBackupCommands } = await import('./backup-commands.js');
    registerBackupCommands(program, { ...ctx, loadConfig: loadConfigFor });
  }
  if (wanted.has('restore')) {
    const { registerRestoreCommands } = await import('./restore-commands.js');
    registerRestoreCommands(program, { ...ctx, loadConfig: loadConfigFor });
    const { registerFileRestoreCommands } = await import('./file-restore-commands.js');
    registerFileRestoreCommands(program, { ...ctx, loadConfig: loadConfigFor });
  }
  if (wanted.has('logs')) {
    const { registerLogsCommands } = await import('./logs-commands.js');
    registerLogsCommands(program, { ...ctx, loadConfig: loadConfigFor });
  }
}

function unknownCommand(word: string, program: Command): string {
  const names = program.commands.map((c) => c.name()).filter((n) => n !== 'console');
  const close = names.find((n) => editDistance(n, word) <= 2);
  return `unknown command '${word}'${close ? ` (did you mean ${close}?)` : ''}; commands: ${names.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}
