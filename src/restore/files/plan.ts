// A file-set restore as a plan (the knowledge manual's "stop; mv data data.old; tar -xzf … -C data;
// chown; start; check", made safe): the preflight lists the archive completely and refuses it
// before anything changes when a member is absolute, has `..`, or links outside its target; the
// plan then extracts into a staging directory beside the target (same filesystem), verifies every
// file there against the archive, stops the services that use the path, moves the current content
// aside as the safety copy (a rename), renames the staging directory into place, starts the
// services and checks they run. On any failure or cancel the epilogue puts the safety copy back
// (renames again) and says so in one plain sentence. GNU tar does the writing (fed by opsdeck's
// own gunzip, after the parser has checked every header it is handed); the listing and the hashes
// come from node-tar over the same bytes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  writeSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import {
  chmod,
  chown,
  lchown,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  statfs,
} from 'node:fs/promises';
import path from 'node:path';
import type { AuditSink } from '../../plan/audit.js';
import { ActionError, errorText } from '../../plan/errors.js';
import { showArgv, type Plan, type PlanOutcome, type Step } from '../../plan/plan.js';
import type { ServiceDeps } from '../../actions/services.js';
import { stamp } from '../../backup/naming.js';
import { appServices, type AppServices } from '../app-services.js';
import { allUnder, below, escapes, listArchive, type Listing, type Member, type TargetSpec } from './archive.js';
import { resolveFileSource, resolveOwner, SourceError, type FileRestoreConfig, type FileSource } from './source.js';
import { bytes } from '../../present/format.js';

export type FileCheckStatus = 'pass' | 'warn' | 'fail';
export interface FileCheck {
  id: 'backup' | 'entries' | 'target' | 'space' | 'services' | 'owner';
  title: string;
  status: FileCheckStatus;
  detail: string;
  lines?: string[];
}

export interface FileRestoreOptions {
  /** The backup file (absolute path). */
  backup: string;
  config: FileRestoreConfig;
  /** Restore only this member (a path in the archive, or the absolute path it restores to). */
  only?: string;
  /** Restore to this path instead of the configured one (one target only). */
  to?: string;
  serviceDeps?: ServiceDeps;
  audit: AuditSink;
  /** GNU tar (default `tar` on PATH). */
  tar?: string;
  now?: () => Date;
  signal?: AbortSignal;
  /** Test hook: runs after extraction, before verification (to damage a staged file). */
  afterExtract?: (staging: readonly string[]) => Promise<void>;
}

/** One place the restore writes, with everything its steps need. */
export interface Target extends TargetSpec {
  staging: string;
  aside: string;
  /** Whether something is at dest now (then it is moved aside). */
  exists: boolean;
  owner?: { uid: number; gid: number };
  mode?: number;
  /** GNU tar's --strip-components for this target. */
  strip: number;
}

interface Tracker {
  staged: Set<string>;
  stopped: boolean;
  /** Started again on the restored files (a later failure must stop them before the swap back). */
  started: boolean;
  asideDone: Set<string>;
  placed: Set<string>;
  verified: number;
}

export interface FileRestorePlan {
  plan: Plan;
  checks: FileCheck[];
  targets: Target[];
  source: FileSource;
}

/** How far the in-process gunzip may run ahead of tar (bytes queued on its stdin). */
const AHEAD = 16 * 1024 * 1024;

const octal = (m: number): string => `0${(m & 0o7777).toString(8).padStart(3, '0')}`;

/** Preflight; a plan only when every check passed. Nothing is changed either way. */
export async function prepareFileRestore(
  opts: FileRestoreOptions,
): Promise<{ checks: FileCheck[]; restore?: FileRestorePlan }> {
  const checks: FileCheck[] = [];
  const fail = (c: Omit<FileCheck, 'status'>): { checks: FileCheck[] } => {
    checks.push({ ...c, status: 'fail' });
    return { checks };
  };
  let source: FileSource;
  try {
    source = await resolveFileSource(opts.backup, opts.config);
  } catch (err) {
    return fail({ id: 'backup', title: 'backup', detail: err instanceof SourceError ? err.message : errorText(err) });
  }
  if (opts.to !== undefined) {
    if (!path.isAbsolute(opts.to))
      return fail({ id: 'target', title: 'target', detail: `--to ${opts.to}: give an absolute path` });
    if (source.dests.length > 1 && opts.only === undefined)
      return fail({
        id: 'target',
        title: 'target',
        detail: `file set ${source.set} has ${source.dests.length} paths: pick one with --only PATH to use --to`,
      });
  }
  if (source.dests.length === 0 && opts.to === undefined)
    return fail({
      id: 'target',
      title: 'target',
      detail:
        `no restore path for file set "${source.set}": ` +
        `add ${source.configKey}: /path/it/restores/to to the config, or pass --to PATH`,
    });

  // 1. The archive lists completely (every member, to the end of the gzip stream).
  let listing: Listing;
  if (source.format === 'file') {
    const st = await stat(source.archive);
    listing = {
      members: [{ path: '', type: 'File', size: st.size, mode: 0o600, uid: 0, gid: 0 }],
      bytes: st.size,
      refused: [],
      dotSlash: 0,
    };
    checks.push({ id: 'backup', title: 'backup', status: 'pass', detail: `one file as copied (${bytes(st.size)})` });
  } else {
    try {
      listing = await listArchive(source.archive, opts.signal ? { signal: opts.signal } : {});
    } catch (err) {
      return fail({ id: 'backup', title: 'archive', detail: `does not list completely: ${errorText(err)}` });
    }
    checks.push({
      id: 'backup',
      title: 'archive',
      status: 'pass',
      detail: `lists completely: ${listing.members.length} entries, ${bytes(listing.bytes)} of files`,
    });
  }
  // 2. Where each part goes.
  let targets: Target[];
  try {
    targets = await targetsFor(source, listing, opts);
  } catch (err) {
    return fail({ id: 'target', title: 'target', detail: err instanceof SourceError ? err.message : errorText(err) });
  }
  // 3. Hostile entries: refused before anything changes.
  const bad = [...listing.refused, ...escapes(listing.members, targets, opts.only)];
  if (bad.length > 0)
    return fail({
      id: 'entries',
      title: 'archive entries',
      detail: `${bad.length} entr${bad.length === 1 ? 'y is' : 'ies are'} unsafe; nothing was changed`,
      lines: bad.slice(0, 10),
    });
  checks.push({
    id: 'entries',
    title: 'archive entries',
    status: 'pass',
    detail: 'every entry stays inside its target',
  });
  // 4. The targets themselves.
  const protectedDirs = [opts.config.backupDir, ...opts.config.existing.map((e) => e.dir)].map((d) => path.resolve(d));
  for (const t of targets) {
    const inside = protectedDirs.find((d) => t.dest === d || t.dest.startsWith(`${d}/`) || d.startsWith(`${t.dest}/`));
    if (inside)
      return fail({
        id: 'target',
        title: 'target',
        detail: `${t.dest} overlaps the backup directory ${inside}: choose another path`,
      });
    const parent = await stat(path.dirname(t.dest)).catch(() => undefined);
    if (!parent?.isDirectory())
      return fail({
        id: 'target',
        title: 'target',
        detail: `${path.dirname(t.dest)} does not exist: create it (mkdir -p) first`,
      });
    const cur = await lstat(t.dest).catch(() => undefined);
    if (cur) {
      if (t.kind === 'dir' && !cur.isDirectory())
        return fail({
          id: 'target',
          title: 'target',
          detail: `${t.dest} is not a directory (the backup is a directory)`,
        });
      if (t.kind === 'file' && !cur.isFile())
        return fail({
          id: 'target',
          title: 'target',
          detail: `${t.dest} is not a regular file (the backup is one file)`,
        });
      if (cur.dev !== parent.dev)
        return fail({
          id: 'target',
          title: 'target',
          detail: `${t.dest} is a mount point and cannot be moved aside: restore into a directory on it with --to`,
        });
    }
  }
  checks.push({
    id: 'target',
    title: 'target',
    status: 'pass',
    detail: targets
      .map((t) => (t.exists ? `${t.dest} (moved aside to ${path.basename(t.aside)})` : `${t.dest} (new)`))
      .join('; '),
  });
  // 5. Space: the staging copy sits beside the target until the swap (the safety copy is a rename: no space).
  for (const dir of new Set(targets.map((t) => path.dirname(t.dest)))) {
    const mine = targets.filter((t) => path.dirname(t.dest) === dir);
    const need = mine.reduce((a, t) => a + sizeOf(listing.members, t), 0);
    const fs = await statfs(dir);
    const free = Number(fs.bavail) * Number(fs.bsize);
    if (free < need)
      return fail({ id: 'space', title: 'space', detail: `${dir}: needs ${bytes(need)}, only ${bytes(free)} free` });
    checks.push({
      id: 'space',
      title: 'space',
      status: 'pass',
      detail: `${dir}: needs about ${bytes(need)}, ${bytes(free)} free`,
    });
  }
  // 6. Services that use the path.
  const unknown = source.services.filter((n) => !opts.config.services.some((s) => s.name === n));
  if (unknown.length > 0)
    return fail({
      id: 'services',
      title: 'services',
      detail:
        `${source.configKey} names ${unknown.join(', ')}, not in services: ` +
        `add ${unknown.length === 1 ? 'it' : 'them'} under services or remove ${unknown.length === 1 ? 'it' : 'them'}`,
    });
  let services: AppServices;
  try {
    const mine = opts.config.services
      .filter((s) => source.services.includes(s.name))
      .map((s) => ({ ...s, group: 'application' as const }));
    services = await appServices(mine, opts.config.startOrder, opts.serviceDeps ?? {});
  } catch (err) {
    return fail({ id: 'services', title: 'services', detail: `cannot prepare them: ${errorText(err)}` });
  }
  const unable = [...services.unable('stop'), ...services.unable('start')];
  if (unable.length > 0) return fail({ id: 'services', title: 'services', detail: unable.join('; ') });
  checks.push({
    id: 'services',
    title: 'services',
    status: 'pass',
    detail:
      services.services.length === 0
        ? `none use this path (${source.configKey}.services names none)`
        : `stopped while the files are swapped, then started: ${services.services.map((s) => s.name).join(', ')}`,
  });
  // 7. Ownership and modes that will be applied.
  checks.push({
    id: 'owner',
    title: 'ownership and modes',
    status: 'pass',
    detail: ownerLine(listing.members, targets),
    lines: [],
  });

  const tracker: Tracker = {
    staged: new Set(),
    stopped: false,
    started: false,
    asideDone: new Set(),
    placed: new Set(),
    verified: 0,
  };
  const expected: { members: Member[] } = { members: [] };
  const env = { opts, source, listing, targets, tracker, services, expected };
  const steps: Step[] = [
    extractStep(env),
    verifyStep(env),
    serviceStep(env, 'stop'),
    asideStep(env),
    placeStep(env),
    serviceStep(env, 'start'),
    healthStep(env),
  ];
  const label = targets.length === 1 ? targets[0]!.dest : source.set;
  const plan: Plan = {
    action: 'restore.files',
    target: label,
    danger: 'destructive',
    steps,
    blastRadius: async () => [
      ...targets.map((t) =>
        t.exists
          ? `${t.dest} is REPLACED by the content of ${path.basename(source.archive)}; ` +
            `the current content is kept as ${t.aside}`
          : `${t.dest} is created from ${path.basename(source.archive)}`,
      ),
      ...services.services.map((s) => `stopped during the swap, then started again: ${s.name}`),
      ...checks.map((c) => `preflight ${c.title}: ${c.detail}`),
    ],
    epilogue: (outcome) => epilogue(env, outcome),
  };
  return { checks, restore: { plan, checks, targets, source } };
}

function sizeOf(members: readonly Member[], t: TargetSpec): number {
  let n = 0;
  for (const m of members) if (below(m.path, t.prefix) !== undefined) n += Math.ceil(m.size / 4096) * 4096 + 4096;
  return t.kind === 'file' ? Math.max(n, 4096) : n;
}

function ownerLine(members: readonly Member[], targets: readonly Target[]): string {
  return targets
    .map((t) => {
      if (t.kind === 'file') {
        const m = members.find((x) => x.path === t.prefix)!;
        const o = t.owner ?? m;
        return `${t.dest}: mode ${octal(t.mode ?? m.mode)}, owner ${o.uid}:${o.gid}`;
      }
      const mine = members.filter((m) => below(m.path, t.prefix) !== undefined);
      const owners = new Set(mine.map((m) => `${m.uid}:${m.gid}`));
      const modes = new Map<string, number>();
      for (const m of mine)
        if (m.type !== 'SymbolicLink') modes.set(octal(m.mode), (modes.get(octal(m.mode)) ?? 0) + 1);
      const modeText = [...modes]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ');
      const ownerText = t.owner
        ? `every file owned by ${t.owner.uid}:${t.owner.gid} (configured)`
        : `owners as archived: ${[...owners].slice(0, 4).join(', ')}`;
      return `${t.dest}: ${ownerText}; modes as archived: ${modeText || 'none'}`;
    })
    .join('; ');
}

/** The targets of this restore: the configured (or --to) places, narrowed by --only. */
async function targetsFor(source: FileSource, listing: Listing, opts: FileRestoreOptions): Promise<Target[]> {
  const at = stamp(opts.now?.() ?? new Date());
  const specs: (TargetSpec & { owner?: string; mode?: string })[] = [];
  if (source.format === 'file') {
    const d = source.dests[0];
    specs.push({
      dest: opts.to ?? d!.dest,
      prefix: '',
      kind: 'file',
      ...(d?.owner ? { owner: d.owner } : {}),
      mode: d?.mode ?? '0600',
    });
  } else if (source.origin === 'opsdeck') {
    for (const d of source.dests) specs.push({ dest: d.dest, prefix: d.prefix!, kind: 'dir' });
    // A path archived as a file (e.g. /opt/app/.env.production in the set) restores as a file.
    for (const s of specs) if (listing.members.find((m) => m.path === s.prefix)?.type === 'File') s.kind = 'file';
  } else {
    const d = source.dests[0];
    const dest = opts.to ?? d!.dest;
    // `tar -czf … -C /etc letsencrypt`: every member under the target's own name → strip it.
    const top = path.basename(dest);
    specs.push({
      dest,
      prefix: allUnder(listing.members, top) ? top : '',
      kind: 'dir',
      ...(d?.owner ? { owner: d.owner } : {}),
    });
  }
  let chosen = specs;
  if (opts.only !== undefined) {
    const want = opts.only.replace(/^\.\//, '');
    let hit: (TargetSpec & { owner?: string; mode?: string }) | undefined;
    for (const s of specs) {
      for (const m of listing.members) {
        const rel = below(m.path, s.prefix);
        if (rel === undefined) continue;
        const dest = rel === '' ? s.dest : path.join(s.dest, rel);
        if (m.path === want || dest === opts.only || (rel !== '' && rel === want)) {
          if (m.type !== 'File')
            throw new SourceError(`--only ${opts.only}: it is a ${m.type.toLowerCase()}, not a file`);
          hit = {
            dest,
            prefix: m.path,
            kind: 'file',
            ...(s.owner ? { owner: s.owner } : {}),
            ...(s.mode ? { mode: s.mode } : {}),
          };
        }
      }
    }
    if (!hit) throw new SourceError(`--only ${opts.only}: no such file in ${path.basename(source.archive)}`);
    if (opts.to !== undefined) hit.dest = opts.to;
    chosen = [hit];
  } else if (opts.to !== undefined && source.origin === 'opsdeck') chosen = [{ ...specs[0]!, dest: opts.to }];
  const mixed = listing.dotSlash > 0 && listing.dotSlash < listing.members.length;
  const out: Target[] = [];
  for (const s of chosen) {
    const dest = path.resolve(s.dest);
    const base = path.basename(dest);
    const t: Target = {
      dest,
      prefix: s.prefix,
      kind: s.kind,
      staging: path.join(path.dirname(dest), `.${base}.opsdeck-restore-${at}`),
      aside: path.join(path.dirname(dest), `${base}.before-restore-${at}`),
      exists: (await lstat(dest).catch(() => undefined)) !== undefined,
      strip: 0,
    };
    if (s.owner) t.owner = await resolveOwner(s.owner);
    else if (source.format === 'file' && t.exists) {
      const cur = await stat(dest);
      t.owner = { uid: cur.uid, gid: cur.gid };
    }
    if (s.mode) t.mode = parseInt(s.mode, 8);
    if (s.prefix !== '' && mixed)
      throw new SourceError(
        `${path.basename(source.archive)} mixes ./name and name entries: restore it with --to into a new directory`,
      );
    t.strip = s.prefix === '' ? 0 : s.prefix.split('/').length + (listing.dotSlash > 0 ? 1 : 0);
    out.push(t);
  }
  return out;
}

type Env = {
  opts: FileRestoreOptions;
  source: FileSource;
  listing: Listing;
  targets: Target[];
  tracker: Tracker;
  services: AppServices;
  expected: { members: Member[] };
};

function tarArgv(env: Env, t: Target): string[] {
  const argv = [
    env.opts.tar ?? 'tar',
    '-x',
    '-f',
    '-',
    '-C',
    t.staging,
    '--numeric-owner',
    '--same-owner',
    '--same-permissions',
  ];
  if (t.strip > 0) {
    argv.push(`--strip-components=${t.strip}`);
    // Several targets read the same stream: each tar takes only its own members.
    if (env.targets.length > 1) argv.push('--', env.listing.dotSlash > 0 ? `./${t.prefix}` : t.prefix);
  }
  return argv;
}

function extractStep(env: Env): Step {
  const { targets, source } = env;
  return {
    id: 'extract',
    title: 'extract into a staging directory beside the target',
    cancellable: true,
    describe: () => ({
      kind: 'argv',
      text:
        source.format === 'file'
          ? targets.map((t) => `copy ${source.archive} to ${t.staging}, mode ${octal(t.mode ?? 0o600)}`).join('; ')
          : `gunzip (in-process, every header checked again) | ` +
            targets
              .map((t) => (t.kind === 'dir' ? showArgv(tarArgv(env, t)) : `${t.prefix} → ${t.staging}`))
              .join('; '),
    }),
    run: async (ctx) => {
      if (source.format === 'file') {
        const t = targets[0]!;
        // Created 0600 and written, never a moment readable by others (it may hold secrets).
        await pipeline(createReadStream(source.archive), createWriteStream(t.staging, { flags: 'wx', mode: 0o600 }));
        env.tracker.staged.add(t.staging);
        const owner = t.owner ?? { uid: 0, gid: 0 };
        await chown(t.staging, owner.uid, owner.gid);
        await chmod(t.staging, t.mode ?? 0o600);
        const sha = await hashFile(source.archive);
        env.expected.members = [
          { path: '', type: 'File', size: env.listing.bytes, mode: t.mode ?? 0o600, ...owner, sha256: sha },
        ];
        return `${bytes(env.listing.bytes)} copied`;
      }
      const dirs = targets.filter((t) => t.kind === 'dir');
      const files = targets.filter((t) => t.kind === 'file');
      for (const t of dirs) {
        await mkdir(t.staging, { mode: 0o700 });
        env.tracker.staged.add(t.staging);
      }
      const fds = new Map<string, number>();
      for (const t of files) {
        fds.set(t.prefix, openSync(t.staging, 'wx', 0o600));
        env.tracker.staged.add(t.staging);
      }
      const children = dirs.map((t) => {
        const argv = tarArgv(env, t);
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
        const exit = new Promise<void>((resolve, reject) => {
          child.once('error', (e) => reject(new ActionError('failed', `${argv[0]}: ${e.message}`)));
          child.once('close', (code) =>
            code === 0
              ? resolve()
              : reject(new ActionError('failed', `tar exited with ${code}: ${err.trim().split('\n').pop() ?? ''}`)),
          );
        });
        exit.catch(() => undefined);
        child.stdin.on('error', () => undefined);
        return { child, exit };
      });
      let done = 0;
      const total = env.listing.bytes;
      try {
        const listing = await listArchive(source.archive, {
          signal: ctx.signal,
          stopAtRefusal: true,
          hash: true,
          onChunk: async (chunk) => {
            done += chunk.length;
            ctx.progress({ done: Math.min(done, total), total, unit: 'bytes' });
            // Up to AHEAD bytes queued for tar, so parsing and hashing here overlap tar's writing there.
            await Promise.all(
              children.map(({ child }) => {
                child.stdin.write(chunk);
                if (child.stdin.writableLength < AHEAD) return undefined;
                return new Promise<void>((r) => child.stdin.once('drain', () => r()));
              }),
            );
          },
          ...(files.length > 0
            ? {
                onFile: (p: string, d: Buffer) => {
                  const fd = fds.get(p);
                  if (fd !== undefined) writeSync(fd, d);
                },
              }
            : {}),
        });
        for (const c of children) c.child.stdin.end();
        await Promise.all(children.map((c) => c.exit));
        env.expected.members = listing.members;
        const changed = sameListing(env.listing.members, listing.members);
        if (changed)
          throw new ActionError(
            'failed',
            `the archive changed since the preflight (${changed}): run the restore again`,
          );
      } catch (err) {
        for (const c of children) c.child.kill('SIGKILL');
        throw err;
      } finally {
        for (const fd of fds.values()) closeSync(fd);
      }
      for (const t of targets) await applyRoot(env, t);
      if (env.opts.afterExtract) await env.opts.afterExtract(targets.map((t) => t.staging));
      return `${env.expected.members.length} entries, ${bytes(total)} extracted`;
    },
  };
}

/** The staging root takes the mode and owner of its archive entry (tar strips it, or it is `.`), or the configured. */
async function applyRoot(env: Env, t: Target): Promise<void> {
  const m = env.expected.members.find((x) => x.path === t.prefix);
  if (t.kind === 'file') {
    const o = t.owner ?? m!;
    await chown(t.staging, o.uid, o.gid);
    await chmod(t.staging, t.mode ?? m!.mode);
    return;
  }
  if (t.owner) await chownTree(t.staging, t.owner);
  if (m) {
    if (!t.owner) await chown(t.staging, m.uid, m.gid);
    await chmod(t.staging, m.mode);
  } else {
    const cur = t.exists ? await stat(t.dest) : undefined;
    await chmod(t.staging, cur ? cur.mode & 0o7777 : 0o755);
  }
}

async function chownTree(dir: string, o: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, o.uid, o.gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, o);
    else await lchown(p, o.uid, o.gid);
  }
}

/** Why two listings differ, or '' when they are the same members. */
function sameListing(a: readonly Member[], b: readonly Member[]): string {
  if (a.length !== b.length) return `${a.length} entries then, ${b.length} now`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.path !== y.path || x.type !== y.type || x.size !== y.size || x.linkpath !== y.linkpath)
      return `${y.path} differs`;
  }
  return '';
}

async function hashFile(file: string, size = Infinity): Promise<string> {
  const h = createHash('sha256');
  // Most files are small: one read of the whole file is one trip through the thread pool.
  if (size <= 1024 * 1024) return h.update(await readFile(file)).digest('hex');
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** Every member as on disk: type, size, sha256, mode, owner; and nothing on disk the archive lacks. */
/** sha256 of a file, read synchronously (page cache: no thread-pool trip per file). */
function hashFileSync(file: string, size: number): string {
  const h = createHash('sha256');
  if (size <= 4 * 1024 * 1024) return h.update(readFileSync(file)).digest('hex');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** What is wrong with one member as it is in the staging directory (nothing: an empty list). */
function checkMember(t: Target, rel: string, m: Member): string[] {
  const problems: string[] = [];
  const p = rel === '' ? t.staging : path.join(t.staging, rel);
  const shown = rel === '' ? t.dest : path.join(t.dest, rel);
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return [`${shown}: missing`];
  const type = st.isFile() ? 'File' : st.isDirectory() ? 'Directory' : st.isSymbolicLink() ? 'SymbolicLink' : 'other';
  const wantType = m.type === 'Link' ? 'File' : m.type;
  if (type !== wantType) return [`${shown}: is a ${type}, the archive has a ${m.type}`];
  const owner = t.owner ?? m;
  if (st.uid !== owner.uid || st.gid !== owner.gid)
    problems.push(`${shown}: owner ${st.uid}:${st.gid}, expected ${owner.uid}:${owner.gid}`);
  const mode = rel === '' && t.kind === 'file' ? (t.mode ?? m.mode) : m.mode;
  if (m.type !== 'SymbolicLink' && m.type !== 'Link' && (st.mode & 0o7777) !== mode)
    problems.push(`${shown}: mode ${octal(st.mode)}, expected ${octal(mode)}`);
  if (m.type === 'SymbolicLink') {
    const l = readlinkSync(p);
    if (l !== m.linkpath) problems.push(`${shown}: links to ${l}, expected ${m.linkpath}`);
  } else if (m.type === 'File') {
    if (st.size !== m.size) problems.push(`${shown}: ${st.size} bytes, expected ${m.size}`);
    else if (hashFileSync(p, st.size) !== m.sha256)
      problems.push(`${shown}: content differs from the archive (sha256)`);
  } else if (m.type === 'Link') {
    const to = below(m.linkpath ?? '', t.prefix);
    const other = to === undefined ? undefined : lstatSync(path.join(t.staging, to), { throwIfNoEntry: false });
    if (!other || other.ino !== st.ino) problems.push(`${shown}: not a hard link to ${m.linkpath}`);
  }
  return problems;
}

/**
 * Every member as on disk: type, size, sha256, mode, owner; and nothing on disk the archive lacks.
 * Synchronous reads (the files were just written: they are in the page cache) in slices of a few
 * milliseconds, so the console keeps drawing and a cancel is seen.
 */
export async function verifyTree(
  env: Pick<Env, 'targets' | 'expected'>,
  signal?: AbortSignal,
): Promise<{ checked: number; problems: string[] }> {
  const problems: string[] = [];
  let checked = 0;
  let slice = performance.now();
  const breathe = async (): Promise<void> => {
    if (performance.now() - slice < 8) return;
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw new ActionError('cancelled', 'cancelled');
    slice = performance.now();
  };
  for (const t of env.targets) {
    const want = new Map<string, Member>();
    for (const m of env.expected.members) {
      const rel = below(m.path, t.prefix);
      if (rel !== undefined) want.set(rel, m);
    }
    if (t.kind === 'dir') {
      const walk = async (rel: string): Promise<void> => {
        for (const e of readdirSync(rel === '' ? t.staging : path.join(t.staging, rel), { withFileTypes: true })) {
          const r = rel === '' ? e.name : `${rel}/${e.name}`;
          if (!want.has(r)) problems.push(`${path.join(t.dest, r)}: on disk but not in the archive`);
          if (e.isDirectory()) await walk(r);
          await breathe();
        }
      };
      await walk('');
    }
    for (const [rel, m] of want) {
      problems.push(...checkMember(t, rel, m));
      checked++;
      await breathe();
    }
  }
  return { checked, problems };
}

function verifyStep(env: Env): Step {
  return {
    id: 'verify',
    title: 'verify every file against the archive',
    cancellable: true,
    describe: () => ({
      kind: 'check',
      text:
        `type, size, sha256, mode and owner of every entry in ` +
        `${env.targets.map((t) => t.staging).join(', ')}; nothing extra`,
    }),
    run: async (ctx) => {
      const { checked, problems } = await verifyTree(env, ctx.signal);
      for (const p of problems.slice(0, 20)) ctx.output(`MISMATCH ${p}`);
      if (problems.length > 0)
        throw new ActionError(
          'failed',
          `verification failed: ${problems.length} problem${problems.length === 1 ? '' : 's'}, first: ${problems[0]}`,
        );
      env.tracker.verified = checked;
      return `${checked} entries match the archive`;
    },
  };
}

function serviceStep(env: Env, verb: 'start' | 'stop'): Step {
  return {
    id: `${verb}-services`,
    title: verb === 'stop' ? 'stop the services that use the path' : 'start the services again',
    describe: () => ({
      kind: 'argv',
      text:
        env.services.services.length === 0 ? 'no services use this path: nothing to do' : env.services.describe(verb),
    }),
    run: async (ctx) => {
      if (verb === 'stop') env.tracker.stopped = true;
      const note = await env.services.run(verb, ctx);
      if (verb === 'start') {
        env.tracker.stopped = false;
        env.tracker.started = true;
      }
      return note ?? undefined;
    },
  };
}

function asideStep(env: Env): Step {
  return {
    id: 'move-aside',
    title: 'move the current content aside (the safety copy)',
    describe: () => ({
      kind: 'fs',
      text: env.targets.map((t) => (t.exists ? `mv ${t.dest} ${t.aside}` : `${t.dest}: nothing there yet`)).join('; '),
    }),
    run: async () => {
      for (const t of env.targets) {
        if (!t.exists) continue;
        await rename(t.dest, t.aside);
        env.tracker.asideDone.add(t.dest);
      }
    },
  };
}

function placeStep(env: Env): Step {
  return {
    id: 'put-in-place',
    title: 'put the restored files in place',
    describe: () => ({ kind: 'fs', text: env.targets.map((t) => `mv ${t.staging} ${t.dest}`).join('; ') }),
    run: async () => {
      for (const t of env.targets) {
        await rename(t.staging, t.dest);
        env.tracker.staged.delete(t.staging);
        env.tracker.placed.add(t.dest);
      }
    },
  };
}

function healthStep(env: Env): Step {
  return {
    id: 'health-check',
    title: 'health check',
    cancellable: true,
    describe: () => ({
      kind: 'check',
      text:
        (env.services.services.length === 0
          ? 'no services use this path: nothing to check'
          : 'every service that uses the path reports running') +
        (env.services.describeChecks() ? `; then the checks ${env.services.describeChecks()}` : ''),
    }),
    run: async (ctx) => {
      const all = await env.services.status(ctx.signal);
      for (const s of all) ctx.output(`${s.name}: ${s.state} (${s.detail})`);
      const bad = all.filter((s) => s.state !== 'running' && s.state !== 'unknown');
      if (bad.length > 0)
        throw new ActionError('failed', `not running: ${bad.map((s) => `${s.name} (${s.detail})`).join(', ')}`);
      const passed = await env.services.runChecks(ctx);
      const note = all.length > 0 ? `${all.length} service${all.length === 1 ? '' : 's'} running` : '';
      return [note, passed].filter(Boolean).join('; ') || 'nothing to check';
    },
  };
}

/** After the run: on success where things are; on failure or cancel, the safety copy put back. */
async function epilogue(env: Env, outcome: PlanOutcome): Promise<string[]> {
  const { targets, tracker, source } = env;
  const name = path.basename(source.archive);
  if (outcome.result === 'succeeded') {
    return targets.map((t) =>
      t.exists
        ? `RESTORED: ${t.dest} from ${name}, ${tracker.verified} entries verified. ` +
          `The previous content is kept as ${t.aside} (remove it once all is well).`
        : `RESTORED: ${t.dest} from ${name}, ${tracker.verified} entries verified (nothing was there before).`,
    );
  }
  const lines: string[] = [];
  const problems: string[] = [];
  const never = new AbortController().signal;
  const quiet = { signal: never, output: () => undefined, progress: () => undefined };
  if (tracker.started && tracker.placed.size > 0 && env.services.services.length > 0) {
    // They run on the restored files: stop them before those go.
    try {
      await env.services.run('stop', quiet);
      tracker.stopped = true;
    } catch (err) {
      problems.push(`the services could not be stopped for the rollback: ${errorText(err)}`);
    }
  }
  for (const t of targets) {
    try {
      if (tracker.placed.has(t.dest)) {
        await rm(t.dest, { recursive: true, force: true });
        tracker.placed.delete(t.dest);
      }
      if (tracker.asideDone.has(t.dest)) {
        await rename(t.aside, t.dest);
        tracker.asideDone.delete(t.dest);
        lines.push(
          `ROLLED BACK: ${t.dest} is back exactly as it was (the safety copy was moved back); ` +
            'the restored files were removed.',
        );
      } else if (t.exists) lines.push(`UNTOUCHED: ${t.dest} was not changed.`);
      else lines.push(`UNTOUCHED: ${t.dest} was not created.`);
    } catch (err) {
      problems.push(
        `ROLLBACK FAILED for ${t.dest}: ${errorText(err)}. ` +
          `The previous content is ${t.aside}: put it back with mv ${t.aside} ${t.dest}`,
      );
    }
  }
  for (const s of tracker.staged)
    await rm(s, { recursive: true, force: true }).catch((err: unknown) =>
      problems.push(`could not remove ${s}: ${errorText(err)}`),
    );
  tracker.staged.clear();
  if (tracker.stopped && env.services.services.length > 0) {
    try {
      await env.services.run('start', quiet);
      tracker.stopped = false;
      lines.push(`Services started again: ${env.services.services.map((s) => s.name).join(', ')}.`);
    } catch (err) {
      problems.push(`the services could not be started again: ${errorText(err)}`);
    }
  }
  const all = [...problems, ...lines];
  await env.opts.audit
    .record({
      event: problems.length === 0 ? 'succeeded' : 'failed',
      action: 'restore.files.rollback',
      target: targets.map((t) => t.dest).join(', '),
      result: problems.length === 0 ? 'succeeded' : 'failed',
      reason: all.join(' '),
    })
    .catch(() => undefined);
  return all;
}

/** Records a restore the preflight stopped (nothing changed) in the audit trail; never throws. */
export async function recordFileRefusal(audit: AuditSink, checks: readonly FileCheck[], target: string): Promise<void> {
  const failed = checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.detail}`);
  await audit
    .record({
      event: 'refused',
      action: 'restore.files',
      target,
      result: 'refused',
      error: `preflight failed: ${failed.join('; ')}`,
      reason: 'nothing was changed',
    })
    .catch(() => undefined);
}
