import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { failTarget, filledStore, pgReading, T0 } from './fixtures.js';
import { walText } from '../../src/ui/views/postgres-view.js';
import { renderConsole } from './harness.js';

afterEach(() => cleanup());

describe('overview', () => {
  it('shows a header, four panels with real values and levels, and the alerts strip', async () => {
    const ui = renderConsole(filledStore(), { readOnly: false });
    const f = await ui.waitFor('PostgreSQL');
    expect(f).toContain('opsdeck · web-01');
    expect(f).toMatch(/✗ CRITICAL/); // worst level: CPU 91 % with sustain 0
    expect(f).toContain('Host');
    expect(f).toContain('Docker');
    expect(f).toContain('Redis');
    expect(f).toMatch(/CPU\s+91 %\s+✗ CRIT/);
    expect(f).toMatch(/Conns\s+45\/100\s+✓ OK/);
    expect(f).toContain('16.4');
    expect(f).toMatch(/✗ CRITICAL cpu 91.0% — just now \(was OK\)/);
    expect(f).not.toContain('READ-ONLY');
    // Every line fits the 80 columns and the frame is one line short of the 24 rows.
    const lines = f.split('\n');
    expect(lines.length).toBe(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('shows the READ-ONLY badge, sparklines and level words that read without colour', async () => {
    const ui = renderConsole(filledStore({ readOnly: true }));
    const f = await ui.waitFor('READ-ONLY');
    expect(f).toMatch(/[▁▂▃▄▅▆▇█]{3,}/);
    expect(f).toMatch(/✓ OK|✗ CRIT|! WARN/);
  });

  it('says "not configured" for absent targets instead of empty panels', async () => {
    const store = filledStore({
      origins: { host: 'configured', docker: 'not_configured', postgres: 'configured', redis: 'not_configured' },
    });
    const ui = renderConsole(store);
    const f = await ui.waitFor('Redis not configured');
    expect(f).toContain('Docker not configured');
  });

  it('marks an unreachable target as stale with the age of its last good data', async () => {
    const store = filledStore();
    failTarget(store, 'postgres', T0 + 60_000);
    const ui = renderConsole(store, { now: T0 + 185_000 });
    const f = await ui.waitFor('STALE');
    expect(f).toMatch(/✗ unreachable · last good 3m ago/);
    expect(f).toMatch(/PostgreSQL\s+✗ CRITICAL\s+STALE/);
    // The last good values stay on screen, judged UNKNOWN now.
    expect(f).toMatch(/Conns\s+45\/100\s+\? UNKNOWN/);
  });

  it('asks for a bigger terminal below the minimum size', async () => {
    const ui = renderConsole(filledStore(), { columns: 50, rows: 12 });
    await ui.waitFor('terminal too small (need 60×15, have 50×12)');
    await ui.command('quit');
    await ui.waitUntil(() => ui.quits === 1, 'quit');
  });

  it('uses the room of a larger terminal', async () => {
    const ui = renderConsole(filledStore(), { columns: 100, rows: 40 });
    const f = await ui.waitFor('PostgreSQL');
    expect(f.split('\n').length).toBe(39);
    // More lines per panel: every disk and both databases are listed.
    expect(f).toContain('Disk /var/lib/postgr');
    expect(f).toContain('itsm_db 3.4 GB');
    expect(f).toContain('! WARNING disk /var/lib/postgresql 76.0%');
  });
});

describe('views', () => {
  it('Host: mounts, interfaces and top processes; s sorts', async () => {
    const ui = renderConsole(filledStore(), { view: 'host' });
    let f = await ui.waitFor('Top processes');
    expect(f).toContain('/var/lib/postgresql');
    expect(f).toContain('eth0');
    expect(f).toMatch(/1201 postgres/);
    expect(f).toContain('sorted by CPU ↓');
    await ui.command('sort');
    f = await ui.waitFor('sorted by memory ↓');
    const rows = f.split('\n');
    const redis = rows.findIndex((l) => l.includes('redis-server'));
    const node = rows.findIndex((l) => l.includes(' node '));
    expect(redis).toBeLessThan(node);
  });

  it('Containers: table with state, health, restarts; sort and filter', async () => {
    const ui = renderConsole(filledStore(), { view: 'containers' });
    let f = await ui.waitFor('itsm-worker');
    expect(f).toMatch(/name\s+state\s+health\s+restarts\s+uptime\s+cpu\s+memory/);
    expect(f).toMatch(/itsm-worker\s+running\s+✗ unhealthy\s+! 12/);
    expect(f).toMatch(/itsm-nginx-reverse-prox\S*… exited/);
    expect(f).toMatch(/› itsm-backend/);
    await ui.command('sort', 'sort', 'sort'); // name → state → health → restarts
    f = await ui.waitFor('sorted by restarts ↓');
    expect(f).toMatch(/› itsm-worker/);
    await ui.command('filter');
    await ui.press('n', 'g', 'i');
    f = await ui.waitFor('/ngi▏');
    expect(f).not.toContain('itsm-worker');
    expect(f).toContain('itsm-nginx');
    await ui.command('input.accept');
    f = await ui.waitFor('filter: ngi');
    await ui.command('filter', 'input.cancel');
    f = await ui.waitFor((x) => x.includes('itsm-worker') && !x.includes('filter:'));
  });

  it('Containers: Enter shows details of the selected container, Esc closes them', async () => {
    const ui = renderConsole(filledStore(), { view: 'containers' });
    await ui.waitFor('itsm-worker');
    await ui.command('bottom', 'drill');
    const f = await ui.waitFor('b2c3d4e5f6a1');
    expect(f).toContain('itsm/worker:2.4.1');
    await ui.command('back');
    await ui.waitFor((x) => !x.includes('b2c3d4e5f6a1'), 'details closed');
  });

  it('PostgreSQL: connections, longest queries, waiting locks with blocker, sizes', async () => {
    const ui = renderConsole(filledStore(), { view: 'postgres' });
    const f = await ui.waitFor('Waiting locks');
    expect(f).toContain('PostgreSQL 16.4');
    expect(f).toMatch(/4242\s+12m/);
    expect(f).toMatch(/4300\s+4242/); // blocked by
    expect(f).toContain('SELECT count(*) FROM incidents');
    expect(f).toMatch(/itsm_db\s+3.4 GB/);
    expect(f).toMatch(/idle\s+41/);
  });

  it('Redis: memory against maxmemory, clients, hit ratio, evictions, persistence, keyspace', async () => {
    const ui = renderConsole(filledStore(), { view: 'redis' });
    const f = await ui.waitFor('Keyspace');
    expect(f).toContain('Redis 7.2.5');
    expect(f).toMatch(/Memory\s+58 MB \/ 64 MB\s+✗ CRIT/);
    expect(f).toContain('allkeys-lru');
    expect(f).toMatch(/Clients\s+57 \/ 10000/);
    expect(f).toMatch(/Hit ratio\s+93 %/);
    expect(f).toMatch(/Evictions\s+4\/s/);
    expect(f).toContain('last save ok 2m ago');
    expect(f).toMatch(/db0\s+18,000\s+9,000/);
  });

  it('Timeline: every level change with time, value and duration', async () => {
    const ui = renderConsole(filledStore(), { view: 'timeline' });
    const f = await ui.waitFor('level changes since start');
    expect(f).toMatch(/✗ CRITICAL\s+OK\s+cpu\s+91.0%\s+ongoing/);
    expect(f).toMatch(/! WARNING\s+new\s+disk \/var\/lib\/postgresql\s+76.0%\s+ongoing/);
    expect(f).toMatch(/\d\d:\d\d:\d\d/);
  });
});

describe('overview layout', () => {
  it('keeps five lines per panel at 80×24 and gives a tall terminal to panels and alerts', async () => {
    const { overviewLayout } = await import('../../src/ui/views/overview.js');
    expect(overviewLayout(20, 2)).toEqual({ panel: 8, strip: 4 });
    expect(overviewLayout(20, 50)).toEqual({ panel: 8, strip: 4 });
    const tall = overviewLayout(56, 50);
    expect(tall.strip).toBe(18);
    expect(tall.panel * 2 + tall.strip).toBe(56);
  });
});

describe('PostgreSQL view: WAL archiving', () => {
  const wal = pgReading().wal;
  it('says how old the newest archived segment is, that archiving fails, or nothing when it is off', () => {
    expect(walText(wal)).toBe('');
    const on = { ...wal, archiving: true, mode: 'on', archived: 3, lastArchivedWal: '000000010000000000000003' };
    expect(walText({ ...on, ageSeconds: 180 })).toBe(' · WAL archived 3m ago');
    expect(walText({ ...on, failing: true, failed: 2, ageSeconds: 180 })).toBe(' · WAL archiving FAILING (2 failed)');
    expect(walText({ ...on, archived: 0, lastArchivedWal: null, ageSeconds: 5 })).toBe(
      ' · WAL archiving on, nothing archived yet',
    );
  });
});
