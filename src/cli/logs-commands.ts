// `opsdeck logs SOURCE [--grep RE] [--since DURATION] [--follow] [--errors-per-hour] [--json]`:
// a log source's history for scripts. SOURCE is a configured logs.sources name or a file path.
// Without --follow the file and its rotated and compressed siblings are searched, newest file
// first (like `zgrep -h RE x.log x.log.1 x.log.2.gz …`); exit 0 when a line matched, 1 when none
// did (grep's convention), 2 for bad input. --errors-per-hour prints the last 24 hours' error
// counts instead. --follow follows like `tail -F` (reopens on rotation and truncation) until
// Ctrl-C or SIGTERM, which exit 0. --json prints one JSON object per line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LogSourceConfig } from '../config/schema.js';
import { errorsPerHour, rotatedFiles, searchHistory } from '../logs/history.js';
import { followFile } from '../logs/file-follow.js';
import { followJournal } from '../logs/journal-follow.js';
import { parseDuration } from '../logs/timestamps.js';
import type { LogStream, SourceSink } from '../logs/types.js';
import type { CommandContext } from './action-runtime.js';

const EXIT_USAGE = 2;

interface LogsOpts {
  grep?: string;
  since?: string;
  follow?: boolean;
  errorsPerHour?: boolean;
  json?: boolean;
}

export interface LogsCommandContext extends CommandContext {
  /** Ends a --follow (tests); SIGINT and SIGTERM do too. */
  signal?: AbortSignal;
}

/** Adds `opsdeck logs` to `program`. */
export function registerLogsCommands(program: Command, ctx: LogsCommandContext): void {
  program
    .command('logs')
    .description(
      "search a log source's history (rotated and .gz files too, newest first), count errors per hour, or follow it",
    )
    .argument('<source>', 'a logs.sources name, or a log file path')
    .option('--grep <regex>', 'only lines matching this regular expression (JavaScript syntax)')
    .option('--since <duration>', 'only lines written in the last DURATION (30m, 2h, 1d)')
    .option('-f, --follow', 'follow new lines like tail -F (reopens after rotation)')
    .option('--errors-per-hour', 'print errors per hour over the last 24 hours')
    .option('--json', 'one JSON object per line')
    .action(async (name: string, opts: LogsOpts, cmd: Command) => {
      const usage = (msg: string): void => {
        ctx.stderr.write(`opsdeck: ${msg}\n`);
        ctx.setCode(EXIT_USAGE);
      };
      let re: RegExp | null = null;
      if (opts.grep !== undefined) {
        try {
          re = new RegExp(opts.grep);
        } catch (err) {
          usage(
            `--grep: not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, // eslint-disable-line @stylistic/max-len
          );
          return;
        }
      }
      const sinceMs = opts.since === undefined ? undefined : parseDuration(opts.since);
      if (opts.since !== undefined && sinceMs === undefined) {
        usage(`--since: expected a duration such as 30m, 2h or 1d, got "${opts.since}"`);
        return;
      }
      if (opts.follow && opts.errorsPerHour) {
        usage('--follow and --errors-per-hour do not go together; pick one');
        return;
      }
      const source = await resolveSource(name, () => ctx.loadConfig(cmd));
      if (typeof source === 'string') {
        usage(source);
        return;
      }
      if (opts.follow) {
        await follow(source, re, opts.json === true, ctx);
        return;
      }
      if (source.file === undefined) {
        usage(`log source ${source.name} is not a file: its history cannot be searched; use --follow`);
        return;
      }
      const files = await rotatedFiles(source.file).catch((err: Error) => err);
      if (files instanceof Error || files.length === 0) {
        ctx.stderr.write(
          `opsdeck: ${files instanceof Error ? files.message : `no such file: ${source.file} (nor rotated copies)`}\n`,
        );
        ctx.setCode(1);
        return;
      }
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        if (opts.errorsPerHour) {
          const eph = await errorsPerHour(files, { signal: ac.signal });
          if (opts.json)
            ctx.stdout.write(
              `${JSON.stringify({
                source: source.name,
                hours: eph.hours.map((h) => ({ hour: new Date(h.hour).toISOString(), errors: h.errors })),
                untimed: eph.untimed,
                files: files.map((f) => f.path),
              })}\n`,
            );
          else {
            const max = Math.max(1, ...eph.hours.map((h) => h.errors));
            const width = String(max).length;
            for (const h of eph.hours) {
              const d = new Date(h.hour);
              const label = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:00`;
              const bar = '#'.repeat(Math.round((h.errors / max) * 40));
              ctx.stdout.write(`${label}  ${String(h.errors).padStart(width)}  ${bar}\n`.replace(/ +\n$/, '\n'));
            }
            if (eph.untimed > 0) ctx.stdout.write(`(${eph.untimed} error lines without a time)\n`);
          }
          return;
        }
        const json = opts.json === true;
        const r = await searchHistory(files, re ?? /(?:)/, {
          signal: ac.signal,
          ...(sinceMs !== undefined ? { since: Date.now() - sinceMs } : {}),
          onMatches: (ms) => {
            let out = '';
            for (const m of ms) out += json ? `${JSON.stringify({ file: m.file, text: m.text })}\n` : `${m.text}\n`;
            ctx.stdout.write(out);
          },
        });
        if (r.matches === 0) ctx.setCode(1);
      } catch (err) {
        ctx.stderr.write(`opsdeck: ${(err as Error).message}\n`);
        ctx.setCode(1);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** A configured source by name, or a file path; a string is what is wrong, in words. */
async function resolveSource(
  name: string,
  load: () => Promise<{ logs: { sources: LogSourceConfig[] } }>,
): Promise<LogSourceConfig | string> {
  const looksLikePath = name.includes('/') || existsSync(name);
  if (looksLikePath) return { name, file: path.resolve(name) };
  const config = await load();
  const found = config.logs.sources.find((s) => s.name === name);
  if (found) return found;
  const names = config.logs.sources.map((s) => s.name);
  const known = names.length ? `configured: ${names.join(', ')}` : 'none configured (logs.sources)';
  return `unknown log source '${name}'; ${known}, or give a file path`;
}

async function follow(
  source: LogSourceConfig,
  re: RegExp | null,
  json: boolean,
  ctx: LogsCommandContext,
): Promise<void> {
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sink: SourceSink = {
    lines: (texts) => {
      let out = '';
      for (const t of texts)
        if (!re || re.test(t)) out += json ? `${JSON.stringify({ source: source.name, text: t })}\n` : `${t}\n`;
      if (out) ctx.stdout.write(out);
    },
    status: (text) => ctx.stderr.write(`opsdeck: ${text}\n`),
    end: (reason, error) => {
      ctx.stderr.write(`opsdeck: ${reason}\n`);
      if (error) ctx.setCode(1);
      done();
    },
  };
  let stream: LogStream;
  if (source.file !== undefined) stream = followFile(source.file, sink, { initialLines: 10 });
  else if (source.journal !== undefined)
    stream = followJournal(source.journal, sink, { lines: 10, ...(ctx.env ? { env: ctx.env } : {}) });
  else {
    ctx.stderr.write(
      `opsdeck: log source ${source.name} cannot be followed from the command line; follow it in the console\n`,
    );
    ctx.setCode(EXIT_USAGE);
    return;
  }
  const stop = (): void => done();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  ctx.signal?.addEventListener('abort', stop, { once: true });
  await finished;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await stream.stop();
}
