// Off-host copies from the command line (issue 14, point 6): `opsdeck offsite [--json]` for cron
// (copies what is pending and retries what is due, then shows every copy's state; exit 1 while a
// copy is failed), the copy `opsdeck backup` makes after publishing, and the fetch that restore
// and drill make when the local file is gone. A copy never changes a backup's result: `opsdeck
// backup` exits by its backups alone and says on stderr how the copy went.
import path from 'node:path';
import type { Command } from 'commander';
import type { OpsdeckConfig } from '../config/resolve.js';
import type { OffsiteRecord } from '../backup/offsite-state.js';
import { alignRows } from '../backup/catalog-format.js';
import { age, bytes, localMinute } from '../present/format.js';
import { withSignals, type CommandContext } from './action-runtime.js';

const EXIT_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function stateWord(r: OffsiteRecord, now: number): string {
  if (r.state === 'copied') return `copied ${r.verifiedAt ? `${age(now - Date.parse(r.verifiedAt))} ago` : ''}`.trim();
  if (r.state === 'failed') {
    const at = r.nextRetryAt ? Date.parse(r.nextRetryAt) : now;
    return `FAILED (${r.attempts}×), retry ${at <= now ? 'due' : `in ${age(at - now)}`}`;
  }
  return r.state;
}

/** Adds `opsdeck offsite` to `program`. */
export function registerOffsiteCommand(program: Command, ctx: CommandContext): void {
  program
    .command('offsite')
    .description(
      'copy pending backups to backups.offsite and retry failed copies that are due, then list every copy ' +
        '(state, when checked, why failed, next retry); exit 1 while a copy is failed',
    )
    .option('--json', 'print JSON instead of a table')
    .option('--list', 'only list, copy nothing')
    .option('--retry-now', 'retry failed copies now, whatever their backoff says')
    .action(async (opts: { json?: boolean; list?: boolean; retryNow?: boolean }, cmd: Command) => {
      const config = await ctx.loadConfig(cmd);
      const cfg = config.backups.offsite;
      if (!cfg) {
        ctx.stderr.write('opsdeck: no off-host copies are configured: set backups.offsite.remote (an rclone remote)\n');
        return ctx.setCode(2);
      }
      const { offsiteStatus, pushOffsite } = await import('../backup/offsite.js');
      const root = config.backups.dir;
      let state;
      if (config.readOnly && !opts.list)
        ctx.stderr.write('opsdeck: read-only: listing the copies, copying nothing (the remote is not changed)\n');
      if (opts.list || config.readOnly)
        state = await offsiteStatus({ root, cfg, ...(ctx.env ? { env: ctx.env } : {}) });
      else {
        const run = await withSignals((signal) =>
          pushOffsite({
            root,
            cfg,
            signal,
            ...(opts.retryNow ? { force: true } : {}),
            ...(ctx.env ? { env: ctx.env } : {}),
            onUpdate: (r) => {
              if (r.state === 'copying') ctx.stderr.write(`opsdeck: copying ${r.rel} to ${cfg.remote} …\n`);
            },
          }),
        );
        if (!run.value.ran) ctx.stderr.write('opsdeck: another opsdeck is copying now; listing only\n');
        state = run.value.state;
        if (run.signal) ctx.setCode(EXIT_SIGNAL[run.signal] ?? 1);
      }
      const now = Date.now();
      const copies = Object.values(state.copies)
        .filter((r) => r.remote === cfg.remote)
        .sort((a, b) => b.time - a.time);
      if (opts.json) {
        ctx.stdout.write(
          `${JSON.stringify({
            remote: cfg.remote,
            at: new Date(now).toISOString(),
            copies: copies.map(({ remote: _r, ...r }) => r),
          })}\n`,
        );
      } else if (copies.length === 0) ctx.stdout.write(`No backups to copy to ${cfg.remote}.\n`);
      else {
        const rows = [['TIME', 'SOURCE', 'SIZE', 'STATE', 'CHECKED BY', 'FILE']];
        for (const r of copies)
          rows.push([localMinute(r.time), r.sourceKey, bytes(r.size), stateWord(r, now), r.method ?? '-', r.rel]);
        ctx.stdout.write(`${alignRows(rows).join('\n')}\n`);
        for (const r of copies) if (r.state === 'failed') ctx.stdout.write(`failed: ${r.rel}: ${r.error ?? ''}\n`);
      }
      if (copies.some((r) => r.state === 'failed')) ctx.setCode(1);
    });
}

/**
 * After `opsdeck backup` published `files`: copies them off the host (stderr says so); a failed copy
 * is a warning with its next retry, never a failed backup.
 */
export async function copyAfterBackup(
  ctx: CommandContext,
  config: OpsdeckConfig,
  files: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const cfg = config.backups.offsite;
  if (!cfg || files.length === 0) return;
  const { pushOffsite } = await import('../backup/offsite.js');
  ctx.stderr.write(
    `opsdeck: copying ${files.length === 1 ? path.basename(files[0]!) : `${files.length} backups`} to ${cfg.remote} ` +
      '(--no-offsite to skip)\n',
  );
  try {
    const run = await pushOffsite({
      root: config.backups.dir,
      cfg,
      only: files,
      signal,
      ...(ctx.env ? { env: ctx.env } : {}),
    });
    if (!run.ran) {
      ctx.stderr.write('opsdeck: another opsdeck is copying now; the backup is pending and will be copied by it\n');
      return;
    }
    for (const r of run.attempted) {
      if (r.state === 'copied')
        ctx.stderr.write(`opsdeck: off-host copy of ${r.file}: copied and checked (${r.method})\n`);
      else
        ctx.stderr.write(
          `opsdeck: warning: off-host copy of ${r.file} FAILED: ${r.error ?? ''}; the local backup is unaffected, ` +
            `retry at ${r.nextRetryAt ? localMinute(Date.parse(r.nextRetryAt)) : 'the next run'} (opsdeck offsite)\n`,
        );
    }
  } catch (err) {
    ctx.stderr.write(
      `opsdeck: warning: off-host copy not made: ${(err as Error).message}; the local backup is unaffected\n`,
    );
  }
}

/**
 * The DR path of restore and drill: a backup named but not here is fetched from backups.offsite
 * (into opsdeck's own directory) and checked against its recorded sha256. Undefined when no
 * remote is configured; throws with a one-line reason when it cannot be fetched or does not match.
 */
export async function fetchForRestore(
  ctx: CommandContext,
  config: OpsdeckConfig,
  name: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const cfg = config.backups.offsite;
  if (!cfg) return undefined;
  const { fetchOffsite } = await import('../backup/offsite.js');
  ctx.stderr.write(`opsdeck: ${name} is not here: fetching it from ${cfg.remote}\n`);
  const file = await fetchOffsite({
    root: config.backups.dir,
    cfg,
    file: name,
    ...(signal ? { signal } : {}),
    ...(ctx.env ? { env: ctx.env } : {}),
  });
  ctx.stderr.write(`opsdeck: fetched ${file}: sha256 matches the one recorded at backup time\n`);
  return file;
}
