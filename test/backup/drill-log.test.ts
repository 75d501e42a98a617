// The drill log as read back: records of this version, unknown keys dropped; torn, foreign or
// invalid lines skipped without hiding the others.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendDrill, drillLogPath, readDrills, type DrillRecord } from '../../src/backup/drill-log.js';

const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-drill-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (at: string, extra: Partial<DrillRecord> = {}): DrillRecord => ({
  version: 1,
  at,
  source: 'itsm_db',
  backup: '/b/itsm_db.sql.gz',
  scratch: 'itsm_db_drill',
  ok: true,
  durationMs: 1000,
  message: 'verified',
  dropped: true,
  host: 'h',
  ...extra,
});

describe('drill log', () => {
  it('[] without a log', async () => {
    expect(await readDrills(drillLogPath(path.join(dir, 'none')))).toEqual([]);
  });

  it('keeps valid records in order and skips the rest', async () => {
    const log = drillLogPath(dir);
    const full = record('2025-01-02T00:00:00Z', { loadMs: 1, verifyMs: 2, bytes: 3, tables: 4, mismatches: 0 });
    await appendDrill(log, record('2025-01-01T00:00:00Z'));
    appendFileSync(log, '{"version":1,"at":"2025-01-0\n'); // torn
    appendFileSync(log, `${JSON.stringify({ ...record('2025-01-03T00:00:00Z'), version: 2 })}\n`); // a later format
    appendFileSync(log, `${JSON.stringify({ ...record('2025-01-04T00:00:00Z'), ok: 'yes' })}\n`); // wrong type
    appendFileSync(log, `${JSON.stringify({ ...record('2025-01-05T00:00:00Z'), host: undefined })}\n`); // missing key
    appendFileSync(log, '\n  \n[]\n"text"\n');
    appendFileSync(log, `${JSON.stringify({ ...full, addedLater: 'x' })}\n`); // unknown key: dropped
    expect(await readDrills(log)).toEqual([record('2025-01-01T00:00:00Z'), full]);
    expect((await readDrills(log))[1]).not.toHaveProperty('addedLater');
  });
});
