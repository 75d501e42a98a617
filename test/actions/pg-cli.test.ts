// `opsdeck pg cancel|terminate PID [--yes]` against a real server: a bad pid is one line, read-only
// refuses, and a yes terminates the root blocker, freeing the session waiting for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerActionCommands } from '../../src/cli/action-commands.js';
import { resolveConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import { configSchema } from '../../src/config/schema.js';
import { readAudit } from '../../src/plan/audit.js';
import { startPostgres, type PgSandbox } from '../../src/sandbox/index.js';
import { unavailable } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

describe.skipIf(unavailable('postgres'))('opsdeck pg cancel|terminate', () => {
  let server: PgSandbox;
  let dir: string;
  const clients: pg.Client[] = [];
  const client = async (app: string): Promise<pg.Client> => {
    const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', application_name: app });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  const config = async (readOnly: boolean): Promise<OpsdeckConfig> => {
    const parsed = configSchema.parse({
      audit: { path: path.join(dir, 'audit.jsonl') },
      targets: { docker: { enabled: false }, postgres: { enabled: false }, redis: { enabled: false } },
    });
    const c = await resolveConfig(parsed, { path: null, via: 'defaults' }, {}, { discover: false });
    const postgres = {
      host: server.host,
      port: server.port,
      user: 'postgres',
      database: 'postgres',
      interval: 2000,
      statementTimeout: 2000,
    };
    return { ...c, readOnly, postgres };
  };
  const sink = (): Writable & { text: () => string } => {
    let buf = '';
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        buf += chunk.toString();
        cb();
      },
    });
    return Object.assign(w, { text: () => buf });
  };
  const run = async (args: string[], cfg: OpsdeckConfig) => {
    const stdout = sink();
    const stderr = sink();
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    program.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
    registerActionCommands(program, {
      loadConfig: async () => cfg,
      stdout,
      stderr,
      setCode: (n) => (code = n),
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
    });
    for (const sub of program.commands) sub.exitOverride();
    await program.parseAsync(args, { from: 'user' });
    return { code, out: stdout.text(), err: stderr.text() };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-pg-cli-'));
    server = await startPostgres({});
    await (await client('setup')).query('CREATE TABLE t (id int)');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad pid is one line; read-only refuses; --yes terminates the root and frees the waiter', async () => {
    const bad = await run(['pg', 'cancel', '12x'], await config(false));
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toEqual([expect.stringMatching(/"12x" is not a process id/)]);

    const holder = await client('holder');
    const root = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const waiter = await client('waiter');
    const wait = waiter.query('SELECT count(*) FROM t').then(
      () => 'done',
      (e: Error) => e.message,
    );
    const check = await client('check');
    await waitFor(
      async () => (await check.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rowCount === 1,
      { what: 'the waiter to block' },
    );

    const refused = await run(['pg', 'terminate', String(root), '--yes'], await config(true));
    expect(refused.code).toBe(2);
    expect(refused.err + refused.out).toMatch(/read-only mode/);
    expect((await check.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [root])).rowCount).toBe(1);

    const dry = await run(['pg', 'terminate', String(root), '--dry-run'], await config(false));
    expect(dry.out).toContain(`sql: SELECT pg_terminate_backend(${root})`);

    const ok = await run(['pg', 'terminate', String(root), '--yes'], await config(false));
    expect(ok.code).toBe(0);
    expect(await wait).toBe('done');
    const audit = await readAudit(path.join(dir, 'audit.jsonl'));
    expect(audit.map((e) => [e.action, e.event])).toEqual([
      ['postgres.terminate', 'refused'],
      ['postgres.terminate', 'confirmed'],
      ['postgres.terminate', 'succeeded'],
    ]);
  });
});
