// Crash reports: an unexpected error is written to a file under the state directory (or the
// temp directory when that cannot be written) so the operator can pass it on after the screen
// is gone.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

export interface CrashContext {
  version?: string;
  columns?: number;
  rows?: number;
  view?: string;
}

/** The text of a crash report. */
export function crashReport(error: unknown, ctx: CrashContext, now = new Date()): string {
  const lines = [
    'opsdeck crash report',
    `time: ${now.toISOString()}`,
    `version: ${ctx.version ?? 'unknown'}`,
    `node: ${process.version} ${process.platform}/${process.arch}`,
    `terminal: ${ctx.columns ?? '?'}×${ctx.rows ?? '?'} TERM=${process.env.TERM ?? ''}`,
    ...(ctx.view ? [`view: ${ctx.view}`] : []),
    '',
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : inspect(error, { depth: 4 }),
  ];
  let cause = error instanceof Error ? error.cause : undefined;
  for (let i = 0; cause !== undefined && i < 5; i++) {
    lines.push(
      '',
      'caused by:',
      cause instanceof Error ? (cause.stack ?? String(cause)) : inspect(cause, { depth: 2 }),
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return `${lines.join('\n')}\n`;
}

/** Writes a crash report to `<stateDir>/crash-<time>.log` (fallback: the temp dir); returns its path, or null. */
export function writeCrashLog(
  stateDir: string,
  error: unknown,
  ctx: CrashContext = {},
  now = new Date(),
): string | null {
  const name = `crash-${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`;
  const text = crashReport(error, ctx, now);
  for (const dir of [stateDir, path.join(os.tmpdir(), 'opsdeck')]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, name);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    } catch {
      // Try the next place.
    }
  }
  return null;
}
