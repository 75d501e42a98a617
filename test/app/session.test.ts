// The console session from the composition root: one guard and audit trail shared by the plans
// and the Backups flow, polling that fills the store, and a quit that comes before the probes
// have even loaded starts no polling at all.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleSession } from '../../src/app/console/session.js';
import { parseConfigText } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { BackupAgeReading } from '../../src/backup/age-probe.js';
import { factsPath, readFacts } from '../../src/backup/existing-facts.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function config(): Promise<Awaited<ReturnType<typeof resolveConfig>>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-session-'));
  dirs.push(dir);
  const yaml = `probeTimeout: 1s\nreadOnly: true\naudit: { path: ${JSON.stringify(path.join(dir, 'audit.jsonl'))} }\n`;
  return resolveConfig(
    parseConfigText(yaml, 'test.yaml'),
    { path: 'test.yaml', via: '--config' },
    {},
    { discover: false },
  );
}

describe('createConsoleSession', () => {
  it('shares one guard between the actions and the Backups flow, and polls into its store', async () => {
    const session = createConsoleSession(await config());
    expect(session.actions.flow).toBeDefined();
    expect(session.actions.actions.guard.state()).toEqual({ mode: 'read-only' });
    expect(await session.startPolling(() => undefined)).toBe(true);
    await waitFor(() => session.store.getState().targets.host?.latest?.ok, { what: 'a host reading in the store' });
    await session.stopPolling(2000);
    session.backups.dispose();
    await session.actions.dispose();
  });

  it('starts no polling when it was stopped before the probes loaded', async () => {
    const session = createConsoleSession(await config());
    const polling = session.startPolling(() => undefined);
    await session.stopPolling(2000);
    expect(await polling).toBe(false);
    expect(session.store.getState().targets.host?.latest ?? null).toBeNull();
    session.backups.dispose();
    await session.actions.dispose();
  });

  it("verifies another tool's backups in the background: then they count, and a truncated one alerts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-session-existing-'));
    dirs.push(dir);
    const other = path.join(dir, 'itsm-backups');
    mkdirSync(other);
    const dump = gzipSync('SET x = 1;\n--\n-- PostgreSQL database dump complete\n--\n');
    const recent = new Date(Date.now() - 2 * 3_600_000);
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const day = `${recent.getFullYear()}${p2(recent.getMonth() + 1)}${p2(recent.getDate())}`;
    const stamp = `${day}_${p2(recent.getHours())}0000`;
    writeFileSync(path.join(other, `full_backup_${stamp}.sql.gz`), dump);
    writeFileSync(path.join(other, 'full_backup_20200101_020000.sql.gz'), dump.subarray(0, dump.length - 6));
    const yaml = [
      `probeTimeout: 1s`,
      `readOnly: true`,
      `audit: { path: ${JSON.stringify(path.join(dir, 'audit.jsonl'))} }`,
      `backups: { dir: ${JSON.stringify(path.join(dir, 'own'))}, databases: [appdb],`,
      `  existing: [{ dir: ${JSON.stringify(other)}, database: appdb }] }`,
    ].join('\n');
    const cfg = await resolveConfig(
      parseConfigText(yaml, 'test.yaml'),
      { path: 'test.yaml', via: '--config' },
      { HOME: dir },
      { discover: false },
    );
    expect(cfg.stateDir.startsWith(dir)).toBe(true);
    const session = createConsoleSession(cfg);
    try {
      expect(await session.startPolling(() => undefined)).toBe(true);
      // Verified in the background, and the backup probe read again at once: the age is the file's (about 2 h).
      const age = await waitFor(
        () => {
          const r = session.store.getState().targets.backup?.lastOk?.reading as BackupAgeReading | undefined;
          const a = r?.sources.find((x) => x.source === 'appdb')?.ageHours;
          return a !== undefined && a < 1000 && a;
        },
        { timeoutMs: 20_000, what: 'appdb counted by backup.ageHours' },
      );
      expect(age).toBeGreaterThanOrEqual(1);
      expect(age).toBeLessThan(3.1);
      const alert = await waitFor(() => session.store.getState().alerts['backup.corruptCount|appdb'], {
        what: 'the corrupt-backup alert',
      });
      expect(alert.level).toBe('CRITICAL');
      expect(Object.keys(await readFacts(factsPath(cfg.stateDir)))).toHaveLength(2);
    } finally {
      await session.stopPolling(2000);
      session.backups.dispose();
      await session.actions.dispose();
    }
  });
});
