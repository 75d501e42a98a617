// The named health checks plans end with (issue 15, point 3), against real things: an HTTP server on
// loopback (OK, 500, a recovery after two failures, never), the sandbox PostgreSQL's TCP port and SQL,
// a command; the wait-and-retry window, cancelling, and the config's messages for bad checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, unavailable } from '../helpers/services.js';
import { runCheck, runChecks } from '../../src/probes/health-checks.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { freePort } from '../../src/sandbox/ports.js';

const check = (c: NonNullable<ConfigInput['checks']>[number]) => configSchema.parse({ checks: [c] }).checks[0]!;
const never = new AbortController().signal;

describe('http checks against a loopback server', () => {
  let server: http.Server;
  let base: string;
  let flaky = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') return void res.end('fine');
      if (req.url === '/created') {
        res.statusCode = 201;
        return void res.end();
      }
      if (req.url === '/fail') {
        res.statusCode = 500;
        return void res.end('boom');
      }
      if (req.url === '/flaky') {
        flaky++;
        res.statusCode = flaky <= 2 ? 503 : 200;
        return void res.end();
      }
      // '/never': no answer at all
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('passes on 2xx like curl -f, fails on 500, checks an expected status', async () => {
    expect(await runCheck(check({ name: 'api', http: { url: `${base}/ok` } }), {}, never)).toEqual({
      name: 'api',
      ok: true,
      detail: expect.stringMatching(/^HTTP 200 in \d+ ms$/),
      attempts: 1,
    });
    const bad = await runCheck(check({ name: 'api', http: { url: `${base}/fail` } }), {}, never);
    expect(bad).toMatchObject({ ok: false, attempts: 1 });
    expect(bad.detail).toMatch(/^HTTP 500 in \d+ ms \(not 2xx\/3xx\)$/);
    const wrong = await runCheck(check({ name: 'api', http: { url: `${base}/ok`, expectStatus: 201 } }), {}, never);
    expect(wrong.detail).toMatch(/^HTTP 200 in \d+ ms, expected 201$/);
    expect(
      (await runCheck(check({ name: 'c', http: { url: `${base}/created`, expectStatus: 201 } }), {}, never)).ok,
    ).toBe(true);
  });

  it('retries every `every` within its window until it passes', async () => {
    const r = await runCheck(
      check({ name: 'flaky', http: { url: `${base}/flaky` }, retry: { every: '50ms', within: '5s' } }),
      {},
      never,
    );
    expect(r).toMatchObject({ ok: true, attempts: 3 });
  });

  it('a hanging endpoint is a timeout of its attempt, not a hang', async () => {
    const r = await runCheck(check({ name: 'slow', http: { url: `${base}/never` }, timeout: '300ms' }), {}, never);
    expect(r).toEqual({ name: 'slow', ok: false, detail: 'no answer within 300 ms', attempts: 1 });
  });

  it('is cancelled at once, even during its wait', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = runCheck(check({ name: 'late', http: { url: `${base}/ok` }, wait: '30s' }), {}, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('command checks', () => {
  it('pass on exit 0 and say the last line of output; a missing program is a failure in words', async () => {
    const ok = await runCheck(
      check({ name: 'script', command: ['sh', '-c', 'echo checking; echo all good'] }),
      {},
      never,
    );
    expect(ok).toEqual({ name: 'script', ok: true, detail: 'exit 0: all good', attempts: 1 });
    const bad = await runCheck(check({ name: 'script', command: ['sh', '-c', 'echo db down >&2; exit 2'] }), {}, never);
    expect(bad.detail).toBe('exit code 2: db down');
    const gone = await runCheck(check({ name: 'x', command: ['/no/such/health-check.sh'] }), {}, never);
    expect(gone.detail).toBe('cannot run /no/such/health-check.sh: command not found');
  });
});

describe.skipIf(unavailable('postgres'))('tcp and sql checks against the sandbox PostgreSQL', () => {
  it('connects to its port, fails on a closed one', async () => {
    const pg = postgresService();
    const up = await runCheck(check({ name: 'db-port', tcp: `${pg.host}:${pg.port}` }), {}, never);
    expect(up).toMatchObject({ ok: true, attempts: 1 });
    expect(up.detail).toMatch(/^connected in \d+ ms$/);
    const closed = await freePort();
    const down = await runCheck(check({ name: 'db-port', tcp: `127.0.0.1:${closed}` }), {}, never);
    expect(down).toEqual({ name: 'db-port', ok: false, detail: 'connection refused', attempts: 1 });
  });

  it('runs the query on the configured connection and compares the first value', async () => {
    const pg = postgresService();
    const postgres = {
      host: pg.host,
      port: pg.port,
      user: pg.user,
      database: pg.database,
      interval: 2000,
      statementTimeout: 2000,
    };
    const [a, b, c] = await runChecks(
      [
        check({ name: 'one', sql: { query: 'SELECT 1', expect: '1' } }),
        check({ name: 'two', sql: { query: 'SELECT 1', expect: '2' } }),
        check({ name: 'bad', sql: { query: 'SELECT * FROM no_such_table_opsdeck' } }),
      ],
      { postgres },
      never,
    );
    expect(a).toEqual({ name: 'one', ok: true, detail: 'answered 1', attempts: 1 });
    expect(b).toEqual({ name: 'two', ok: false, detail: 'answered 1, expected 2', attempts: 1 });
    expect(c).toMatchObject({ ok: false, detail: 'relation "no_such_table_opsdeck" does not exist' });
    const none = await runCheck(check({ name: 'one', sql: { query: 'SELECT 1' } }), { postgres: null }, never);
    expect(none.detail).toBe('PostgreSQL is not configured (targets.postgres): an sql check needs it');
  });
});

describe('config', () => {
  const issues = (input: unknown): string[] => {
    const r = configSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('validates checks with clear messages', () => {
    expect(issues({ checks: [{ name: 'a', tcp: 'localhost' }] })).toEqual([
      'checks.0.tcp: expected "host:port", e.g. "127.0.0.1:5432"',
    ]);
    expect(issues({ checks: [{ name: 'a', tcp: 'h:1', command: ['true'] }] })).toEqual([
      'checks.0: a health check needs exactly one of: http, command, tcp, sql',
    ]);
    expect(issues({ checks: [{ name: 'a', http: { url: 'ftp://x' } }] })).toEqual([
      'checks.0.http.url: expected an http:// or https:// URL',
    ]);
    expect(issues({ checks: [{ name: 'a', tcp: 'h:1', wait: 'soon' }] })).toEqual([
      'checks.0.wait: expected a duration like "500ms", "30s", "5m", "2h" or "1d", got "soon"',
    ]);
    expect(
      issues({
        checks: [
          { name: 'a', tcp: 'h:1' },
          { name: 'a', tcp: 'h:2' },
        ],
        defaultChecks: ['b'],
        services: [{ name: 'web', systemd: 'nginx.service', checks: ['a', 'c'] }],
      }),
    ).toEqual([
      'checks.1.name: a second check is named "a": give each check its own name',
      'defaultChecks.0: names the check "b", which is not in checks (known: a)',
      'services.0.checks.1: names the check "c", which is not in checks (known: a)',
    ]);
  });
});
