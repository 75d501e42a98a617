// The backup-age probe over a fabricated backup directory: newest VERIFIED backup per configured
// source, "never" as CRITICAL, thresholds from the default rules.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupAgeProbe, NEVER_BACKED_UP_HOURS } from '../../src/backup/age-probe.js';
import { backupFileName, sourceDir } from '../../src/backup/naming.js';
import type { Sidecar } from '../../src/backup/sidecar.js';
import type { BackupSource } from '../../src/backup/types.js';
import { mergeRules } from '../../src/config/resolve.js';
import { classify } from '../../src/engine/thresholds.js';
import { tempDir } from './helpers.js';

const HOUR = 3_600_000;
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
    version: 1, file, kind, format, source: source.type === 'files' ? { ...source, paths: [] } : source,
    startedAt: at.toISOString(), finishedAt: at.toISOString(), size: 1, sha256: '0'.repeat(64), tool: 'test', host: 'h', verify: v, lastVerify: v,
  };
  writeFileSync(path.join(dir, `${file}.json`), JSON.stringify(meta));
}

describe('backup age probe', () => {
  let root: { dir: string; remove: () => void };
  const rules = mergeRules({}, 'test');
  const probe = () =>
    createBackupAgeProbe(
      { backups: { dir: root.dir, databases: ['itsm_db', 'other_db', 'never_db'], files: [{ name: 'config', paths: ['/etc/x'] }] } as never, rules, probeTimeout: 3000 },
      { now: () => now },
    );

  beforeAll(() => {
    root = tempDir('age');
    fabricate(root.dir, { type: 'postgres', name: 'itsm_db' }, 30);
    fabricate(root.dir, { type: 'postgres', name: 'itsm_db' }, 3, false); // newer but failed re-verify: does not count
    fabricate(root.dir, { type: 'postgres', name: 'other_db' }, 60);
    fabricate(root.dir, { type: 'files', name: 'config' }, 2);
    fabricate(root.dir, { type: 'postgres', name: 'not_configured' }, 1);
  });
  afterAll(() => root?.remove());

  it('reports the age of the newest verified backup of each configured source', async () => {
    const r = await probe().read(new AbortController().signal);
    expect(r.ok).toBe(true);
    expect(r.metrics).toEqual([
      { metric: 'backup.ageHours', instance: 'itsm_db', value: 30, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'other_db', value: 60, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'never_db', value: NEVER_BACKED_UP_HOURS, unit: 'h' },
      { metric: 'backup.ageHours', instance: 'files:config', value: 2, unit: 'h' },
    ]);
    const rule = rules['backup.ageHours']!;
    expect(r.metrics.map((m) => classify(rule, m.value))).toEqual(['WARNING', 'CRITICAL', 'CRITICAL', 'OK']);
    if (r.ok) expect(r.reading.sources.find((s) => s.source === 'itsm_db')).toMatchObject({ count: 2, unverified: 1 });
  });

  it('a missing backup directory means no backups: every source is CRITICAL', async () => {
    const p = createBackupAgeProbe({ backups: { dir: path.join(root.dir, 'nope'), databases: ['a'], files: [] } as never, rules, probeTimeout: 3000 });
    const r = await p.read(new AbortController().signal);
    expect(r.metrics).toEqual([{ metric: 'backup.ageHours', instance: 'a', value: NEVER_BACKED_UP_HOURS, unit: 'h' }]);
  });
});
