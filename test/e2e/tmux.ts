// Drives a real terminal: a private tmux server (its own socket), one session running bash,
// keys sent by name, the screen read with capture-pane, and polling with a deadline instead of
// fixed sleeps; commands are pressed by their keymap name. Used by the end-to-end tests and the console benchmarks.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { CommandId } from '../../src/ui/keymap.js';
import { waitForText } from '../helpers/wait.js';
import { commandKey, tmuxKey } from '../ui/keys.js';

export interface TmuxOptions {
  columns: number;
  rows: number;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** The environment for a terminal session: no CI markers (they change how Ink renders). */
export function terminalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...extra };
  for (const k of [
    'CI',
    'CONTINUOUS_INTEGRATION',
    'BUILD_NUMBER',
    'RUN_ID',
    'GITHUB_ACTIONS',
    'VITEST',
    'VITEST_WORKER_ID',
    'VITEST_POOL_ID',
    'TMUX',
    'TMUX_PANE',
  ])
    delete env[k];
  return env;
}

export class Tmux {
  readonly socket = `opsdeck-${process.pid}-${randomBytes(3).toString('hex')}`;
  private killed = false;

  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts a detached session of `columns`×`rows` running a plain bash with prompt "$ ". */
  static start(opts: TmuxOptions): Tmux {
    const t = new Tmux(terminalEnv(opts.env));
    t.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(opts.columns),
      '-y',
      String(opts.rows),
      '-c',
      opts.cwd,
      'env',
      'PS1=$ ',
      'bash',
      '--norc',
      '--noprofile',
    );
    t.tmux('set-option', '-g', 'status', 'off');
    t.tmux('set-option', '-g', 'window-size', 'manual');
    t.tmux('resize-window', '-t', 'main', '-x', String(opts.columns), '-y', String(opts.rows));
    return t;
  }

  /** Runs a tmux command on this server and returns its output. */
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      env: this.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Types a shell command line and presses Enter. */
  run(line: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', line);
    this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  /** Presses keys by tmux name: 'q', 'Tab', 'BTab', 'Escape', 'Enter', 'C-c', 'Down'. */
  send(...keys: string[]): void {
    for (const k of keys) this.tmux('send-keys', '-t', 'main', k);
  }

  /** Presses the first key the keymap binds to each command (tests press commands by name). */
  command(...ids: CommandId[]): void {
    this.send(...ids.map((id) => tmuxKey(commandKey(id))));
  }

  /** The visible screen as plain text. */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }

  /** Whether the application has the alternate screen on. */
  alternateOn(): boolean {
    return this.tmux('display-message', '-p', '-t', 'main', '#{alternate_on}').trim() === '1';
  }

  /** The pid of the shell in the pane. */
  panePid(): number {
    return Number(this.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
  }

  /** Appends everything the pane's program writes to `file` (raw bytes, escapes included). */
  record(file: string | null): void {
    if (file === null) this.tmux('pipe-pane', '-t', 'main');
    else this.tmux('pipe-pane', '-o', '-t', 'main', `cat >> ${JSON.stringify(file)}`);
  }

  /** Polls the screen until `test` passes; throws with the last screen after `timeoutMs`. */
  async waitFor(
    test: string | RegExp | ((screen: string) => boolean),
    timeoutMs = 15_000,
    what = String(test),
  ): Promise<string> {
    return waitForText(() => this.capture(), test, { timeoutMs, what, intervalMs: 50 });
  }

  /** Kills the tmux server and everything in it. */
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
