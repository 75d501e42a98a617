// Running the PostgreSQL client tools: which binary, which argv, which environment. Connection
// details and the password travel in the child's environment (PGHOST…, PGPASSWORD), never in
// argv, where every local user could read them in /proc/<pid>/cmdline or `ps`. The database name
// goes there too: as `-d NAME`, a name like "host=evil" would be read as a connection string.
import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PgConnection } from '../config/resolve.js';

/** What a tool needs to reach one database. `password` is a secret. */
export type PgTarget = Pick<PgConnection, 'host' | 'port' | 'user' | 'database' | 'password' | 'sslmode'>;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The newest /usr/lib/postgresql/<major>/bin/<tool> (pg_dump must be at least the server's major
 * version, and Debian's /usr/bin wrapper may pick an older one), else the tool on PATH.
 */
export function findPgTool(tool: 'pg_dump' | 'pg_restore' | 'psql', env: NodeJS.ProcessEnv = process.env): string {
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    // not the Debian layout
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const m of majors) {
    const p = `/usr/lib/postgresql/${m}/bin/${tool}`;
    if (executable(p)) return p;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, tool))) return path.join(dir, tool);
  }
  return tool;
}

// Inherited variables that would silently point the tool somewhere else than the config says.
const OVERRIDING = [
  'PGHOST',
  'PGHOSTADDR',
  'PGPORT',
  'PGUSER',
  'PGDATABASE',
  'PGPASSWORD',
  'PGSERVICE',
  'PGOPTIONS',
  'PGSSLMODE',
  'PGTARGETSESSIONATTRS',
  'DATABASE_URL',
];

/** The child's environment for `target`: inherited minus PG* overrides, plus the target (password included). */
export function pgChildEnv(target: PgTarget, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of OVERRIDING) delete env[k];
  env.PGHOST = target.host;
  env.PGPORT = String(target.port);
  env.PGUSER = target.user;
  env.PGDATABASE = target.database;
  env.PGAPPNAME = 'opsdeck-backup';
  env.PGCONNECT_TIMEOUT ??= '10';
  if (target.password !== undefined) env.PGPASSWORD = target.password;
  if (target.sslmode !== undefined) env.PGSSLMODE = target.sslmode;
  return env;
}

export interface DumpArgs {
  kind: 'full' | 'data';
  format: 'plain' | 'custom';
  /** An exported snapshot to dump (pg_dump --snapshot). */
  snapshot?: string;
  /** Output file (custom format writes it itself so the archive gets its seekable table of contents). */
  file?: string;
}

/** pg_dump's arguments (without the binary): flags only, no connection details, no secrets. */
export function pgDumpArgs(a: DumpArgs): string[] {
  // --no-password: cron has no terminal; a missing password must fail at once, not wait for a prompt.
  const args = ['--no-password', `--format=${a.format}`];
  if (a.kind === 'data') args.push('--data-only');
  if (a.snapshot !== undefined) args.push(`--snapshot=${a.snapshot}`);
  // pg_dump (10+) fsyncs a --file itself before exiting; we fsync it anyway, beside the read-back
  // hash and pg_restore --list, instead of waiting for pg_dump's flush first.
  if (a.file !== undefined) args.push(`--file=${a.file}`, '--no-sync');
  return args;
}

const versions = new Map<string, Promise<string>>();

/** `<bin> --version`, first line (cached per binary); a failure says so instead of throwing. */
export function toolVersion(bin: string): Promise<string> {
  let v = versions.get(bin);
  if (!v) {
    v = new Promise((resolve) => {
      execFile(bin, ['--version'], { timeout: 10_000 }, (err, stdout) => {
        resolve(
          err
            ? `${path.basename(bin)} (version unknown: ${err.message.split('\n')[0]})`
            : stdout.split('\n')[0]!.trim(),
        );
      });
    });
    versions.set(bin, v);
  }
  return v;
}
