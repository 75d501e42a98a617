// The console session from the composition root: one guard and audit trail shared by the plans
// and the Backups flow, polling that fills the store, and a quit that comes before the probes
// have even loaded starts no polling at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleSession } from '../../src/app/console/session.js';
import { parseConfigText } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve.js';
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
});
