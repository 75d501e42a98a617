import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostProbe, type HostProbeOptions } from '../../src/probes/host.js';
import { PSEUDO_FS, parsePidStat, parseProcStat, readDisks } from '../../src/probes/host-proc.js';
import { DEFAULT_RULES } from '../../src/config/schema.js';

const signal = () => new AbortController().signal;
const opts = (o: Partial<HostProbeOptions> = {}): HostProbeOptions => ({
  interval: 2000,
  timeoutMs: 3000,
  processesInterval: 15_000,
  diskInterval: 30_000,
  linkSpeedMbps: {},
  ignoreFsTypes: PSEUDO_FS,
  ...o,
});

describe('host probe on this machine', () => {
  const probe = new HostProbe(opts());
  afterAll(() => probe.close());

  it('reads sane values on the first (one-shot) read', async () => {
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(r.error.message);
    const h = r.reading;
    expect(h.cpu.percent).toBeGreaterThanOrEqual(0);
    expect(h.cpu.percent).toBeLessThanOrEqual(100);
    expect(h.cpu.perCore).toHaveLength(os.cpus().length);
    expect(h.load.one).toBeGreaterThanOrEqual(0);
    expect(h.memory.totalBytes).toBe(os.totalmem());
    expect(h.memory.percent).toBeGreaterThan(0);
    expect(h.memory.percent).toBeLessThan(100);
    expect(h.disks.map((d) => d.mount)).toContain('/');
    for (const d of h.disks) {
      expect(PSEUDO_FS.filter((t) => t !== 'overlay')).not.toContain(d.fsType);
      expect(d.percent).toBeGreaterThanOrEqual(0);
      expect(d.percent).toBeLessThanOrEqual(100);
    }
    expect(new Set(h.disks.map((d) => d.device)).size).toBe(h.disks.length);
    expect(h.network.map((n) => n.name)).not.toContain('lo');
    expect(h.processes?.byCpu.length).toBeGreaterThan(0);
    expect(h.processes?.byMemory[0]?.memoryBytes).toBeGreaterThan(0);
    expect(h.processes?.byMemory.every((p) => p.pid > 0 && p.command.length > 0)).toBe(true);

    const known = Object.keys(DEFAULT_RULES);
    for (const m of r.metrics) expect(known).toContain(m.metric);
    expect(r.metrics.find((m) => m.metric === 'host.cpu')?.value).toBe(h.cpu.percent);
    expect(r.metrics.filter((m) => m.metric === 'host.disk').map((m) => m.instance)).toContain('/');
  });

  it('sees CPU load it causes and keeps processes cached between reads', async () => {
    const first = await probe.read(signal());
    const spinUntil = Date.now() + 300;
    while (Date.now() < spinUntil) Math.sqrt(Math.random());
    const r = await probe.read(signal());
    if (!r.ok || !first.ok) throw new Error('read failed');
    expect(r.reading.cpu.percent).toBeGreaterThan(0);
    expect(r.reading.processes?.at).toBe(first.reading.processes?.at);
  });
});

describe('host probe on a fake /proc', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-host-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  const netDev = (eth: number, wlan: number) =>
    'Inter-|   Receive |  Transmit\n' +
    ' face |bytes packets errs drop fifo frame compressed multicast|bytes\n' +
    '    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n' +
    `  eth0: ${eth} 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n` +
    ` wlan0: ${wlan} 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n`;
  const stat = (busy: number, idle: number) =>
    `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 ${busy} 0 0 ${idle} 0 0 0 0 0 0\nintr 1\n`;
  put('/proc/stat', stat(100, 900));
  put(
    '/proc/meminfo',
    'MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\nCached: 500 kB\nSwapTotal: 400 kB\nSwapFree: 300 kB\n',
  );
  put('/proc/loadavg', '1.50 0.75 0.25 2/100 42\n');
  put('/proc/uptime', '1234.5 99.0\n');
  put('/proc/net/dev', netDev(0, 0));
  put('/proc/mounts', 'rootfs / rootfs rw 0 0\ntmpfs /run tmpfs rw 0 0\n');
  put('/proc/4242/stat', '4242 (my (odd) proc) S 1 4242 4242 0 -1 0 0 0 0 0 50 25 0 0 20 0 1 0 100 1000 3 0\n');
  put('/proc/4242/cmdline', 'my-proc\0--flag\0');
  put('/sys/class/net/eth0/speed', '1000\n');
  put('/sys/class/net/wlan0/speed', '-1\n');

  it('computes memory from MemAvailable, swap, load, CPU and network % of link speed', async () => {
    const probe = new HostProbe(opts({ root, ignoreFsTypes: [...PSEUDO_FS, 'rootfs'] }));
    const first = await probe.read(signal());
    if (!first.ok) throw new Error(first.error.message);
    expect(first.reading.memory.percent).toBe(75); // cache is not "used"
    expect(first.reading.swap.percent).toBe(25);
    expect(first.reading.load).toEqual({ one: 1.5, five: 0.75, fifteen: 0.25 });
    expect(first.reading.processes?.byCpu[0]).toMatchObject({
      pid: 4242,
      name: 'my (odd) proc',
      command: 'my-proc --flag',
    });

    put('/proc/stat', stat(400, 1000)); // 300 busy of 400 → 75 %
    put('/proc/net/dev', netDev(125_000_000, 5_000_000)); // ~1 Gbit worth of bytes on eth0
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.reading.cpu.percent).toBe(75);
    const eth0 = r.reading.network.find((n) => n.name === 'eth0')!;
    const wlan0 = r.reading.network.find((n) => n.name === 'wlan0')!;
    expect(eth0.speedMbps).toBe(1000);
    expect(eth0.percent).toBeGreaterThan(0);
    expect(wlan0.speedMbps).toBeNull();
    expect(wlan0.percent).toBeNull();
    expect(wlan0.rxBytesPerSec).toBeGreaterThan(0);
    // Unknown link speed: the rate is in the reading, but no sample that would sit at UNKNOWN forever.
    expect(r.metrics.filter((m) => m.metric === 'host.network').map((m) => m.instance)).toEqual(['eth0']);
    expect(r.metrics.find((m) => m.metric === 'host.swap')?.value).toBe(25);
    await probe.close();
  });

  it('uses the configured link speed over the kernel and skips swap when there is none', async () => {
    put('/proc/meminfo', 'MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    const probe = new HostProbe(opts({ root, linkSpeedMbps: { wlan0: 100 } }));
    const r = await probe.read(signal());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.reading.network.find((n) => n.name === 'wlan0')?.speedMbps).toBe(100);
    expect(r.reading.swap.percent).toBeNull();
    expect(r.metrics.some((m) => m.metric === 'host.swap')).toBe(false);
    expect(
      r.metrics
        .filter((m) => m.metric === 'host.network')
        .map((m) => m.instance)
        .sort(),
    ).toEqual(['eth0', 'wlan0']);
  });

  it('reports a missing /proc as a typed error', async () => {
    const r = await new HostProbe(opts({ root: path.join(root, 'nope') })).read(signal());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('protocol');
  });
});

describe('host parsers', () => {
  it('keeps real mounts, drops pseudo fs, keeps an overlay root and dedupes by device', async () => {
    const mounts = [
      'overlay / overlay rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /dev/shm tmpfs rw 0 0',
      '/dev/vda /etc/hosts ext4 rw 0 0',
      '/dev/vda /tmp ext4 rw 0 0',
      'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
    ].join('\n');
    const disks = await readDisks(mounts, new Set(PSEUDO_FS));
    expect(disks.map((d) => `${d.device} ${d.mount}`)).toEqual(['overlay /', '/dev/vda /tmp']);
  });

  it('parses /proc/stat and /proc/[pid]/stat', () => {
    expect(parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 0 0 0 0 0 0\n')).toEqual({
      all: { total: 36, idle: 9 },
      cores: [{ total: 4, idle: 1 }],
    });
    expect(parsePidStat('7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 6 9 0')).toEqual({
      name: 'a) b',
      ticks: 7,
      rssPages: 9,
    });
  });
});
