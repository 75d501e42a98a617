// Which file set a backup is and where it goes back to: opsdeck's own files backups say it in
// their sidecar (the absolute paths archived, stored relative to /), another tool's backups in
// the config (`backups.existing[].restore`: set → path). Also the owner spec (`user:group`) read
// against /etc/passwd and /etc/group. Only reads.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scanExisting } from '../../backup/existing.js';
import { readSidecar } from '../../backup/sidecar.js';
import type { OpsdeckConfig } from '../../config/resolve.js';
import type { RestoreTargetConfig, ServiceConfig } from '../../config/schema.js';

/** The part of the config a file-set restore reads. */
export interface FileRestoreConfig {
  files: readonly { name: string; paths: readonly string[]; services?: readonly string[] }[];
  existing: readonly {
    dir: string;
    database: string;
    name?: string;
    /** As parsed (always an object), or a bare path (tests, the bench). */
    restore?: Record<string, RestoreTargetConfig | string>;
  }[];
  services: readonly ServiceConfig[];
  startOrder?: readonly string[];
  /** backups.dir: never restored into. */
  backupDir: string;
}

/** The file-restore part of a loaded config. */
export function fileRestoreConfig(config: OpsdeckConfig): FileRestoreConfig {
  return {
    files: config.backups.files,
    existing: config.backups.existing,
    services: config.services,
    ...(config.startOrder ? { startOrder: config.startOrder } : {}),
    backupDir: config.backups.dir,
  };
}

/** A backup resolved to what it restores. */
export interface FileSource {
  archive: string;
  format: 'tar' | 'file';
  origin: 'opsdeck' | 'existing';
  set: string;
  /** Where each part goes: for opsdeck's own, the archived paths; for existing, the configured path. */
  dests: { dest: string; prefix?: string; owner?: string; mode?: string }[];
  services: string[];
  /** Where the config for this set lives, for messages. */
  configKey: string;
}

export class SourceError extends Error {}

/** Resolves `file` (an absolute path) against the config; throws SourceError with a one-line fix. */
export async function resolveFileSource(file: string, config: FileRestoreConfig): Promise<FileSource> {
  const meta = await readSidecar(file).catch(() => undefined);
  if (meta) {
    if (meta.kind !== 'files' || meta.source.type !== 'files')
      throw new SourceError(`${path.basename(file)} is a database backup: restore it with opsdeck restore --db NAME`);
    const name = meta.source.name;
    const paths = (meta.source as { paths?: string[] }).paths ?? [];
    if (paths.length === 0)
      throw new SourceError(`${path.basename(file)}: its sidecar does not record the paths archived`);
    const i = config.files.findIndex((f) => f.name === name);
    return {
      archive: file,
      format: 'tar',
      origin: 'opsdeck',
      set: name,
      dests: paths.map((p) => ({ dest: p, prefix: path.relative('/', p) })),
      services: [...(config.files[i]?.services ?? [])],
      configKey: i >= 0 ? `backups.files[${i}]` : `backups.files (no set named ${name} any more)`,
    };
  }
  for (const [i, ex] of config.existing.entries()) {
    const rel = path.relative(ex.dir, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const found = (await scanExisting([ex])).entries.find((e) => e.path === file);
    if (!found) continue;
    if (found.kind !== 'files' || found.source.type !== 'files')
      throw new SourceError(`${path.basename(file)} is a database backup: restore it with opsdeck restore --db NAME`);
    const set = found.source.name;
    const key = `backups.existing[${i}].restore`;
    const t = ex.restore?.[set];
    const base = {
      archive: file,
      format: found.format === 'file' ? ('file' as const) : ('tar' as const),
      origin: 'existing' as const,
      set,
      configKey: `${key}.${set}`,
    };
    // No restore path: --to may still say where; otherwise the preflight says what to add.
    if (t === undefined) return { ...base, dests: [], services: [] };
    const spec: RestoreTargetConfig = typeof t === 'string' ? { path: t, services: [] } : t;
    return {
      ...base,
      dests: [
        {
          dest: spec.path,
          ...(spec.owner ? { owner: spec.owner } : {}),
          ...(spec.mode ? { mode: spec.mode } : {}),
        },
      ],
      services: [...spec.services],
    };
  }
  if (/\.(tar\.gz|tgz)$/.test(file))
    return {
      archive: file,
      format: 'tar',
      origin: 'existing',
      set: path.basename(file),
      dests: [],
      services: [],
      configKey: '--to',
    };
  throw new SourceError(
    `${file} is neither an opsdeck files backup (no sidecar) nor a file set in backups.existing: name one of those`,
  );
}

/** uid and gid of `user:group` (names or numbers); throws SourceError naming what is unknown. */
export async function resolveOwner(spec: string): Promise<{ uid: number; gid: number }> {
  const [u, g] = spec.split(':') as [string, string];
  const lookup = async (file: string, name: string, what: string): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    const text = await readFile(file, 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.split(':')[0] === name);
    const id = line?.split(':')[2];
    if (id === undefined || !/^\d+$/.test(id))
      throw new SourceError(`owner ${spec}: no ${what} named ${name} on this host`);
    return Number(id);
  };
  return { uid: await lookup('/etc/passwd', u, 'user'), gid: await lookup('/etc/group', g, 'group') };
}
