// The backup-age probe over a fabricated backup directory: newest VERIFIED backup per configured
// source, "never" as CRITICAL, thresholds from the default rules; and the days since the last
// successful restore drill of each configured database, from the drill log.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupAgeProbe, NEVER_BACKED_UP_HOURS, NEVER_DRILLED_DAYS } from '../../src/backup/age-probe.js';
import { backupFileName, sourceDir } from '../../src/backup/naming.js';
import type { Sidecar } from '../../src/backup/sidecar.js';
import type { BackupSource } from '../../src/backup/types.js';
import { mergeRules } from '../../src/config/resolve.js';
import { classify } from '../../src/engine/thresholds.js';
import { appendDrill, drillLogPath, type DrillRecord } from '../../src/backup/drill-log.js';
import { tempDir } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function drill(source: string, ageDays: number, ok: boolean): DrillRecord {
  const at = new Date(now - ageDays * DAY).toISOString();
  return {
    version: 1,
    at,
    source,
    backup: `/b/${source}.sql.gz`,
    scratch: `${source}_drill`,
    ok,
    durationMs: 1000,
    message: ok ? 'verified' : 'row counts differ',
    dropped: true,
    host: 'h',
  };
}
const now = new Date(2025, 5, 30, 12, 0).getTime();

function fabricate(root: string, source: BackupSource, ageHours: number, ok = true): void {
  const at = new Date(now - ageHours * HOUR);
  const kind = source.type === 'files' ? 'files' : 'full';
  const format = source.type === 'files' ? 'tar' : 'plain';
  const file = backupFileName(source, kind, format, at);
  const dir = sourceDir(root, source);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), 'x');
  const v = { ok, at: at.toISOString(), checks: [], message: ok ? 'verified' : 'sha256: differs' };
  const meta: Sidecar = {
    version: 1,
    file,
    kind,
    format,
    source: source.type === 'files' ? { ...source, paths: [] } : source,
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    size: 1,
    sha256: '0'.repeat(64),
    tool: 'test',
    host: 'h',
    verify: v,
    lastVerify: v,
  };
  writeFileSync(path.join(dir, `${file}.json`), JSON.stringify(meta));
}

describe('backup age probe', () => {
  let root: { dir: string; remove: () => void };
  const rules = mergeRules({}, 'test');
  const probe = () =>
    createBackupAgeProbe(
      {
        backups: {
          dir: root.dir,
          databases: ['itsm_db', 'other_db', 'never_db'],
          files: [{ name: 'config', paths: ['/etc/x'] }],
        } as never,
        rules,
        probeTimeout: 3000,
      },
      { now: () => now },
    );

  beforeAll(async () => {
    root = tempDir('age');
    fabricate(root.dir, { type: 'postgres', name: 'itsm_db' }, 30);
    fabricate(root.dir, { type: 'postgres', name: 'itsm_db' }, 3, false); // newer but failed re-verify: does not count
    fabricate(root.dir, { type: 'postgres', name: 'other_db' }, 60);
    fabricate(root.dir, { type: 'files', name: 'config' }, 2);
    fabricate(root.dir, { type: 'postgres', name: 'not_configured' }, 1);
    const log = drillLogPath(root.dir);
    await appendDrill(log, drill('itsm_db', 40, true));
    await appendDrill(log, drill('itsm_db', 10, true));
    await appendDrill(log, drill('other_db', 50, true));
    // failed since: the age still counts from the last PASSING drill
    await appendDrill(log, drill('other_db', 1, false));
    await appendDrill(log, drill('never_db', 2, false)); // never passed: as good as never drilled
  });
  afterAll(() => root?.remove());

  it('reports the age of the newest verified backup of each configured source', async () => {
    const r = await probe().read(new AbortController().signal);
    expect(r.ok).toBe(true);
    const ages = r.metrics.filter((m) => m.metric === 'backup.ageHours');
    expect(ages).toEqual([
      { metric: 'backup.ageHours', instance: 'itsm_db', value: 30, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'other_db', value: 60, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'never_db', value: NEVER_BACKED_UP_HOURS, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'files:config', value: 2, unit: 'h' },
    ]);
    const rule = rules['backup.ageHours']!;
    expect(ages.map((m) => classify(rule, m.value))).toEqual(['WARNING', 'CRITICAL', 'CRITICAL', 'OK']);
    if (r.ok) expect(r.reading.sources.find((s) => s.source === 'itsm_db')).toMatchObject({ count: 2, unverified: 1 });
  });

  it('reports days since the last successful drill of each configured database (default 35/65-day rule)', async () => {
    const r = await probe().read(new AbortController().signal);
    const drills = r.metrics.filter((m) => m.metric === 'backup.drillAgeDays');
    // Databases only: a file set is never drilled.
    expect(drills).toEqual([
      { metric: 'backup.drillAgeDays', instance: 'itsm_db', value: 10, unit: 'd' },
      { metric: 'backup.drillAgeDays', instance: 'other_db', value: 50, unit: 'd' },
      { metric: 'backup.drillAgeDays', instance: 'never_db', value: NEVER_DRILLED_DAYS, unit: 'd' },
    ]);
    const rule = rules['backup.drillAgeDays']!;
    expect(rule).toMatchObject({ warn: 35, crit: 65, interval: 60_000, sustain: 0 });
    expect(drills.map((m) => classify(rule, m.value))).toEqual(['OK', 'WARNING', 'CRITICAL']);
    expect(NEVER_DRILLED_DAYS).toBe(NEVER_BACKED_UP_HOURS);
    if (r.ok)
      expect(r.reading.drills.find((d) => d.source === 'other_db')).toMatchObject({
        ageDays: 50,
        last: { ok: false, message: 'row counts differ' },
      });
  });

  it('a missing backup directory means no backups and no drills: every sample is CRITICAL', async () => {
    const p = createBackupAgeProbe({
      backups: { dir: path.join(root.dir, 'nope'), databases: ['a'], files: [] } as never,
      rules,
      probeTimeout: 3000,
    });
    const r = await p.read(new AbortController().signal);
    expect(r.metrics).toEqual([
      { metric: 'backup.ageHours', instance: 'a', value: NEVER_BACKED_UP_HOURS, unit: 'h' },
      { metric: 'backup.drillAgeDays', instance: 'a', value: NEVER_DRILLED_DAYS, unit: 'd' },
      { metric: 'backup.corruptCount', instance: 'a', value: 0, unit: '' },
    ]);
  });

  it('an unreadable drill log makes only the drill samples UNKNOWN', async () => {
    const other = tempDir('age-badlog');
    try {
      fabricate(other.dir, { type: 'postgres', name: 'a' }, 5);
      mkdirSync(drillLogPath(other.dir)); // a directory where the log should be: EISDIR, even for root
      const p = createBackupAgeProbe(
        { backups: { dir: other.dir, databases: ['a'], files: [] } as never, rules, probeTimeout: 3000 },
        { now: () => now },
      );
      const r = await p.read(new AbortController().signal);
      expect(r.ok).toBe(true);
      expect(r.metrics).toEqual([
        { metric: 'backup.ageHours', instance: 'a', value: 5, unit: 'h' },
        { metric: 'backup.drillAgeDays', instance: 'a', value: null, unit: 'd' },
        { metric: 'backup.corruptCount', instance: 'a', value: 0, unit: '' },
      ]);
      if (r.ok) expect(r.reading.problems.join('\n')).toMatch(/drill log unreadable/);
    } finally {
      other.remove();
    }
  });

  it('loads no PostgreSQL client when imported (the probe runs in every console)', () => {
    const script = [
      `import { createRequire } from 'node:module';`,
      `await import(${JSON.stringify(path.resolve('src/backup/age-probe.ts'))});`,
      `const loaded = Object.keys(createRequire(import.meta.url).cache)` +
        `.filter((f) => /[\\/]node_modules[\\/](pg|pg-pool|pg-protocol)[\\/]/.test(f));`,
      `process.stdout.write(JSON.stringify(loaded));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
