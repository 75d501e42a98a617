// rclone as a child process for the off-host copies (offsite.ts): an argument vector with the
// remote path and local paths only — never a credential. The remote is one rclone already knows
// from its own config file (RCLONE_CONFIG, set from backups.offsite.configFile) or from
// RCLONE_CONFIG_<NAME>_* variables in the environment, which the child inherits. Whatever rclone
// prints goes through redact() before anyone sees it: the values of the environment's rclone
// credentials (passwords, keys, tokens, also in their obscured form) and URL userinfo are masked.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { OffsiteConfig } from '../config/schema.js';

/** How to run rclone for one configured remote. */
export interface RcloneRunner {
  readonly remote: string;
  /**
   * Runs `rclone ARGS…` (common flags added); resolves with its exit and output, never rejects.
   * With `hashLog`, rclone logs at debug level in JSON and the result carries the hash checks the
   * transfer itself made (`md5 = … OK`: the remote's hash after the upload equals rclone's of the source).
   */
  run(
    args: readonly string[],
    signal?: AbortSignal,
    opts?: { hashLog?: boolean; input?: string },
  ): Promise<RcloneResult>;
  /** The hash types the remote keeps ("Hashes" of `rclone backend features`), cached. */
  hashes(signal?: AbortSignal): Promise<string[]>;
  /** The remote path of `rel` (a path relative to the backup root, "/"-separated). */
  pathOf(rel: string): string;
  redact(text: string): string;
}

export interface RcloneResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** Redacted. */
  stderr: string;
  /** Set when rclone could not be started at all (e.g. not installed). */
  spawnError?: string;
  /** With hashLog: the checks of the transfer, e.g. { object: 'f.sql.gz', type: 'md5', hash: 'cc87…' }. */
  hashChecks: { object: string; type: string; hash: string }[];
}

/** Thrown for a failed rclone step, with a redacted one-line message. */
export class OffsiteError extends Error {
  override name = 'OffsiteError';
}

// Names of rclone settings that hold a credential: their values are masked in everything shown.
const SECRET_NAME = /PASS|SECRET|KEY|TOKEN|CREDENTIAL|AUTH|SESSION|BEARER|SAS|PRIVATE/i;

/** The secret values of the environment's rclone settings (RCLONE_CONFIG_<REMOTE>_<KEY>, RCLONE_<KEY>). */
export function rcloneSecrets(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 4 || !name.startsWith('RCLONE_')) continue;
    if (name === 'RCLONE_CONFIG' || name.endsWith('_TYPE')) continue;
    if (SECRET_NAME.test(name.replace(/^RCLONE_CONFIG_/, '').replace(/^RCLONE_/, ''))) out.push(value);
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** The secret values of an rclone config file (`pass = …`, `secret_access_key = …`); none when unreadable. */
export function configFileSecrets(file: string | undefined): string[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (m && m[2]!.length >= 4 && SECRET_NAME.test(m[1]!)) out.push(m[2]!);
  }
  return out;
}

/** Masks `secrets` and any URL userinfo (`//user:pass@`) in `text`. */
export function redactWith(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out.replace(/(\/\/[^/\s:@]*):[^/\s@]+@/g, '$1:***@');
}

/** The remote path of `rel` under `remote` ("offsite:" + "a/b" or "offsite:x" + "/a/b"). */
export function remotePath(remote: string, rel: string): string {
  const base = remote.endsWith(':') || remote.endsWith('/') ? remote : `${remote}/`;
  return `${base}${rel.replace(/^\/+/, '')}`;
}

/** The common flags: opsdeck's backoff owns the retries, so rclone gives up quickly and says why. */
function commonFlags(cfg: Pick<OffsiteConfig, 'bwlimit'>, hashLog: boolean): string[] {
  return [
    '--retries',
    '1',
    '--low-level-retries',
    '2',
    '--contimeout',
    '15s',
    '--timeout',
    '60s',
    ...(hashLog ? ['--log-level', 'DEBUG', '--use-json-log'] : ['--log-level', 'ERROR']),
    '--stats',
    '0',
    ...(cfg.bwlimit ? ['--bwlimit', cfg.bwlimit] : []),
  ];
}

/** A runner for `cfg` with the environment `env` (process.env by default). */
export function rcloneRunner(cfg: OffsiteConfig, env: NodeJS.ProcessEnv = process.env): RcloneRunner {
  const secrets = [...new Set([...rcloneSecrets(env), ...configFileSecrets(cfg.configFile ?? env.RCLONE_CONFIG)])].sort(
    (a, b) => b.length - a.length,
  );
  const childEnv: NodeJS.ProcessEnv = { ...env, ...(cfg.configFile ? { RCLONE_CONFIG: cfg.configFile } : {}) };
  const redact = (t: string): string => redactWith(t, secrets);
  let hashes: Promise<string[]> | undefined;
  const runner: RcloneRunner = {
    remote: cfg.remote,
    redact,
    pathOf: (rel) => remotePath(cfg.remote, rel),
    run: (args, signal, opts = {}) =>
      new Promise<RcloneResult>((resolve) => {
        const hashLog = opts.hashLog === true;
        const child = spawn(cfg.rclone, [...args, ...commonFlags(cfg, hashLog)], {
          env: childEnv,
          stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
          ...(signal ? { signal, killSignal: 'SIGTERM' as const } : {}),
        });
        const out: Buffer[] = [];
        let err = '';
        const hashChecks: RcloneResult['hashChecks'] = [];
        let partial = '';
        // Debug JSON lines: keep the transfer's hash checks and the errors, nothing else.
        const jsonLine = (line: string): void => {
          let o: { level?: string; msg?: string; object?: string };
          try {
            o = JSON.parse(line) as typeof o;
          } catch {
            err = `${err}${line}\n`.slice(-8192);
            return;
          }
          const m = /^(\w+) = ([0-9a-fA-F]+) OK$/.exec(o.msg ?? '');
          if (m) hashChecks.push({ object: o.object ?? '', type: m[1]!.toLowerCase(), hash: m[2]!.toLowerCase() });
          else if (o.level === 'error' || o.level === 'critical' || o.level === 'fatal')
            err = `${err}${o.object ? `${o.object}: ` : ''}${(o.msg ?? '').trim()}\n`.slice(-8192);
        };
        if (opts.input !== undefined && child.stdin) {
          child.stdin.on('error', () => undefined);
          child.stdin.end(opts.input);
        }
        child.stdout!.on('data', (b: Buffer) => out.push(b));
        child.stderr!.on('data', (b: Buffer) => {
          if (!hashLog) {
            // Keep the tail only: rclone's errors are at the end.
            err = (err + b.toString('utf8')).slice(-8192);
            return;
          }
          const lines = (partial + b.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) if (l.trim()) jsonLine(l);
        });
        let spawnError: string | undefined;
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (e.name === 'AbortError') return;
          spawnError =
            e.code === 'ENOENT'
              ? `${cfg.rclone} not found: install rclone (Debian package rclone) or set backups.offsite.rclone`
              : e.message;
        });
        child.on('close', (code, sig) => {
          if (partial.trim()) jsonLine(partial);
          resolve({
            code,
            signal: sig,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: redact(err),
            hashChecks,
            ...(spawnError ? { spawnError: redact(spawnError) } : {}),
          });
        });
      }),
    hashes: (signal) => {
      hashes ??= (async () => {
        const root = cfg.remote.includes(':') ? cfg.remote.slice(0, cfg.remote.indexOf(':') + 1) : cfg.remote;
        const r = await runner.run(['backend', 'features', root], signal);
        if (r.code !== 0) {
          hashes = undefined;
          throw new OffsiteError(`cannot reach ${root}: ${failureText(r)}`);
        }
        try {
          const f = JSON.parse(r.stdout) as { Hashes?: unknown };
          return Array.isArray(f.Hashes) ? f.Hashes.filter((h): h is string => typeof h === 'string') : [];
        } catch {
          return [];
        }
      })();
      return hashes;
    },
  };
  return runner;
}

/** One line saying why an rclone run failed (already redacted). */
export function failureText(r: RcloneResult): string {
  if (r.spawnError) return r.spawnError;
  const lines = r.stderr
    .split('\n')
    .map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\s+/, '').trim())
    .filter((l) => l && !/Config file .* not found - using defaults/.test(l));
  const last = lines.at(-1) ?? '';
  const why = r.signal ? `rclone was stopped (${r.signal})` : `rclone exited ${r.code ?? '?'}`;
  return last ? `${why}: ${last.slice(0, 300)}` : why;
}
