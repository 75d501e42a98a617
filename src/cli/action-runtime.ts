// What every CLI action command shares: the guard and audit trail for a config, and Ctrl-C /
// SIGTERM turned into an AbortSignal so a plan can reach a safe point and say where it stands.
import { createActionLayer, type ActionLayer } from '../app/action-layer.js';
import type { Command } from 'commander';
import type { OpsdeckConfig } from '../config/resolve.js';
import type { Ask } from './ask.js';

/** Where a command writes: process.stdout/stderr, or a test's buffer. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What main.ts hands the backup and restore commands. */
export interface CommandContext {
  /** Loads the effective config (main.ts passes its loader, which reads the global --config/--read-only). */
  loadConfig: (cmd: Command) => Promise<OpsdeckConfig>;
  stdout: Out;
  stderr: Out;
  setCode: (code: number) => void;
  env?: NodeJS.ProcessEnv;
  /** Where questions are asked (default: the terminal, when stdin is one). */
  ask?: Ask;
}

/** The read-only guard and the audit trail of one command (built by the composition root). */
export function actionLayer(config: OpsdeckConfig, env: NodeJS.ProcessEnv | undefined): ActionLayer {
  return createActionLayer(config, { timer: false, ...(env ? { env } : {}) });
}

/** Runs `fn` with an AbortSignal that SIGINT and SIGTERM trip; says which signal arrived. */
export async function withSignals<T>(
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; signal?: NodeJS.Signals }> {
  const ac = new AbortController();
  let got: NodeJS.Signals | undefined;
  const on = (sig: NodeJS.Signals): void => {
    got ??= sig;
    ac.abort(new Error(`${sig} received`));
  };
  // Listening keeps the default (exit at once) from happening: the cleanup must run first.
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  try {
    const value = await fn(ac.signal);
    return got ? { value, signal: got } : { value };
  } finally {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  }
}
