// Directories laid out as the manuals' own scripts leave them, made with the same pipelines:
// `pg_dump DB | gzip > full_backup_TS.sql.gz` (ITSM backup-db.sh), `pg_dump DB | gzip >
// daily/DATE/database_TS.sql.gz`, `tar -czf data_TS.tar.gz -C DIR .`, `cp .env.production
// env.production_TS`, `tar -czf letsencrypt_TS.tar.gz -C /etc letsencrypt` (knowledge backup.sh),
// plus dumps of other tools in general. Every child gets an argument vector, no shell.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findPgTool, pgChildEnv } from '../../src/backup/pg-tools.js';
import { filesUnder, targetFor } from './helpers.js';

/** Runs `argv` and waits for exit 0. */
function run(argv: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], ...(env ? { env } : {}) });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv.join(' ')}: exit ${code}: ${err}`)),
    );
  });
}

/** `pg_dump [args] DB | gzip > out` (or without gzip when `gzip` is false), as the manuals' scripts run it. */
export function dumpTo(db: string, out: string, opts: { gzip?: boolean; args?: string[] } = {}): Promise<void> {
  const env = pgChildEnv(targetFor(db));
  const dump = spawn(findPgTool('pg_dump'), [...(opts.args ?? []), db], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const file = createWriteStream(out);
  const zip = opts.gzip === false ? undefined : spawn('gzip', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (zip) {
    dump.stdout.pipe(zip.stdin);
    zip.stdout.pipe(file);
  } else dump.stdout.pipe(file);
  const exited = (c: ReturnType<typeof spawn>, name: string): Promise<void> =>
    new Promise((resolve, reject) =>
      c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exit ${code}`)))),
    );
  const closed = new Promise<void>((resolve, reject) => file.on('close', resolve).on('error', reject));
  return Promise.all([exited(dump, 'pg_dump'), zip ? exited(zip, 'gzip') : undefined, closed]).then(() => undefined);
}

/** `pg_dump -Fc --file=out DB`. */
export function customDumpTo(db: string, out: string): Promise<void> {
  return run([findPgTool('pg_dump'), '-Fc', `--file=${out}`, db], pgChildEnv(targetFor(db)));
}

/** `tar -czf out -C dir what`. */
export function tarTo(out: string, dir: string, what = '.'): Promise<void> {
  return run(['tar', '-czf', out, '-C', dir, what]);
}

export interface ExistingFixture {
  itsm: string;
  knowledge: string;
  generic: string;
  /** The mtime given to the generic dump whose name has no stamp. */
  noStampMtime: number;
}

/** Makes the three directories under `base` from database `db`. */
export async function makeExistingDirs(base: string, db: string): Promise<ExistingFixture> {
  const itsm = path.join(base, 'itsm-backups');
  const knowledge = path.join(base, 'knowledge-backups');
  const generic = path.join(base, 'other-backups');
  const src = path.join(base, 'app-src');
  for (const d of [itsm, generic, path.join(src, 'data', 'sub'), path.join(src, 'etc', 'letsencrypt', 'live')])
    mkdirSync(d, { recursive: true });
  writeFileSync(path.join(src, 'data', 'sub', 'doc.json'), '{"a":1}\n');
  writeFileSync(path.join(src, 'etc', 'letsencrypt', 'live', 'cert.pem'), 'CERT\n');
  writeFileSync(path.join(src, '.env.production'), 'SECRET_KEY=x\n', { mode: 0o600 });

  // ITSM backup-db.sh: flat, full nightly and data-only ("diff").
  await dumpTo(db, path.join(itsm, 'full_backup_20260101_020000.sql.gz'));
  await dumpTo(db, path.join(itsm, 'diff_backup_20260102_020000.sql.gz'), { args: ['--data-only'] });
  writeFileSync(path.join(itsm, 'backup.log'), 'log lines of the script, not a backup\n');

  // knowledge backup.sh: <type>/<DATE>/<what>_<TIMESTAMP>.
  const day = path.join(knowledge, 'daily', '20260103');
  const week = path.join(knowledge, 'weekly', '20251228');
  mkdirSync(day, { recursive: true });
  mkdirSync(week, { recursive: true });
  mkdirSync(path.join(knowledge, 'daily', 'latest'), { recursive: true });
  await tarTo(path.join(day, 'data_20260103_030000.tar.gz'), path.join(src, 'data'));
  copyFileSync(path.join(src, '.env.production'), path.join(day, 'env.production_20260103_030000'));
  await dumpTo(db, path.join(day, 'database_20260103_030000.sql.gz'));
  await tarTo(path.join(day, 'letsencrypt_20260103_030000.tar.gz'), path.join(src, 'etc'), 'letsencrypt');
  await dumpTo(db, path.join(week, 'database_20251228_020000.sql.gz'));
  // Not a YYYYMMDD directory: the script never makes one, so it is not looked into.
  await dumpTo(db, path.join(knowledge, 'daily', 'latest', 'database_20260104_030000.sql.gz'));

  // Other tools: a plain dump without a stamp (time from mtime), a custom dump, a tar.gz, a fake .dump.
  const noStampMtime = new Date(2025, 10, 5, 4, 30, 0).getTime();
  await dumpTo(db, path.join(generic, 'nightly.sql'), { gzip: false });
  utimesSync(path.join(generic, 'nightly.sql'), noStampMtime / 1000, noStampMtime / 1000);
  await customDumpTo(db, path.join(generic, 'app-20251201-010203.dump'));
  await tarTo(path.join(generic, 'uploads_20251202.tar.gz'), path.join(src, 'data'));
  writeFileSync(path.join(generic, 'notes.backup'), 'not a pg_dump archive\n');
  return { itsm, knowledge, generic, noStampMtime };
}

/** sha256, size and mtime of every file under each dir: compared before and after to prove nothing changed. */
export function fingerprint(dirs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of dirs) {
    for (const rel of filesUnder(dir)) {
      const full = path.join(dir, rel);
      const st = statSync(full);
      const hash = createHash('sha256').update(readFileSync(full)).digest('hex');
      out[full] = `${hash} ${st.size} ${st.mtimeMs} ${(st.mode & 0o7777).toString(8)}`;
    }
  }
  return out;
}
