// Pure(ish) readers of /proc and /sys text for the host probe: no state, no timers, so they can
// be tested with fixtures. Formats are documented in proc(5).
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { StatsFs } from 'node:fs';
import { ProbeFailure } from './types.js';
import { compareText } from '../util/text.js';

export interface CpuTimes {
  total: number;
  idle: number;
}
export interface NetCounters {
  rx: number;
  tx: number;
}
export interface DiskUsage {
  mount: string;
  device: string;
  fsType: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** Used of (used + available), as `df` reports it (root-reserved blocks are not "available"). */
  percent: number;
}

/** Pseudo and read-only image filesystems that are never a "real" mount worth a disk alert. */
export const PSEUDO_FS = [
  'proc',
  'sysfs',
  'tmpfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'pstore',
  'bpf',
  'tracefs',
  'debugfs',
  'securityfs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'squashfs',
  'overlay',
  'ramfs',
  'efivarfs',
  'selinuxfs',
  'nfsd',
  'iso9660',
  'fuse.lxcfs',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'fuse.snapfuse',
  'devfs',
  'cpuset',
  'none',
];

/** Parses /proc/stat into jiffy totals for all CPUs and each core. */
export function parseProcStat(text: string): { all: CpuTimes; cores: CpuTimes[] } {
  let all: CpuTimes | null = null;
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [label, ...rest] = line.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const v = rest.slice(0, 8).map(Number);
    const times = { total: v.reduce((a, b) => a + (b || 0), 0), idle: (v[3] ?? 0) + (v[4] ?? 0) };
    if (label === 'cpu') all = times;
    else cores.push(times);
  }
  if (!all) throw new ProbeFailure('protocol', 'cannot read CPU times from /proc/stat');
  return { all, cores };
}

/** Parses /proc/meminfo into bytes by field name. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^([\w()]+):\s+(\d+)(?:\s+kB)?/gm))
    out[m[1]!] = Number(m[2]) * (m[0].endsWith('kB') ? 1024 : 1);
  return out;
}

/** Parses /proc/net/dev into cumulative rx/tx byte counters per interface. */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.split(/\s+/).map(Number);
    out.set(m[1]!, { rx: f[0] ?? 0, tx: f[8] ?? 0 });
  }
  return out;
}

/** Parses /proc/[pid]/stat (the comm field may contain spaces and parentheses). */
export function parsePidStat(text: string): { name: string; ticks: number; rssPages: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).split(' ');
  // Fields after comm start at field 3 (state): utime=14, stime=15, rss=24 → offsets 11, 12, 21.
  return { name: text.slice(open + 1, close), ticks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) || 0 };
}

// statfs on a dead network mount can hang forever and holds a libuv pool thread while it does;
// such a mount is skipped until its call returns, so repeated scans cannot exhaust the pool.
const hungMounts = new Set<string>();
const STATFS_TIMEOUT_MS = 1000;

/** Real mounts from /proc/mounts with usage from statfs, deduplicated by device; hung mounts are left out. */
export async function readDisks(mountsText: string, ignore: Set<string>): Promise<DiskUsage[]> {
  const seen = new Map<string, { mount: string; fsType: string }>();
  for (const line of mountsText.split('\n')) {
    const [device, rawMount, fsType] = line.split(' ');
    if (!device || !rawMount || !fsType) continue;
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    // overlay is pseudo for containers' layers, but real when it IS the root (inside a container).
    if (ignore.has(fsType) && !(fsType === 'overlay' && mount === '/')) continue;
    const prev = seen.get(device);
    if (!prev || mount.length < prev.mount.length) seen.set(device, { mount, fsType });
  }
  const disks = await Promise.all(
    [...seen].map(async ([device, { mount, fsType }]) => {
      const s = await statfsBounded(mount);
      if (!s || s.blocks === 0) return null;
      const used = (s.blocks - s.bfree) * s.bsize;
      const avail = s.bavail * s.bsize;
      return {
        mount,
        device,
        fsType,
        totalBytes: s.blocks * s.bsize,
        usedBytes: used,
        availableBytes: avail,
        percent: pct(used, used + avail) ?? 0,
      };
    }),
  );
  return disks.filter((d): d is DiskUsage => d !== null).sort((a, b) => compareText(a.mount, b.mount));
}

/** Memory page size in bytes (for RSS in pages). */
export function detectPageSize(selfStat: string): number {
  // Node cannot ask sysconf; compare our own RSS in pages with the RSS in bytes Node reports.
  try {
    const pages = parsePidStat(readFileSync(selfStat, 'utf8'))?.rssPages ?? 0;
    const ratio = pages > 0 ? process.memoryUsage.rss() / pages : 4096;
    return [4096, 16384, 65536].reduce((best, p) => (Math.abs(p - ratio) < Math.abs(best - ratio) ? p : best), 4096);
  } catch {
    return 4096;
  }
}

async function statfsBounded(mount: string): Promise<StatsFs | null> {
  if (hungMounts.has(mount)) return null;
  hungMounts.add(mount);
  let timer: NodeJS.Timeout | undefined;
  const call = statfs(mount)
    .catch(() => null)
    .finally(() => hungMounts.delete(mount));
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), STATFS_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

function pct(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}
