// The Endpoints panel on the Overview and the Endpoints view, fed by the real http and
// certificates probes reading real loopback HTTP/HTTPS servers and openssl-made certificate files.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mergeRules, type HttpEndpoint } from '../../src/config/resolve.js';
import { createCertificatesProbe } from '../../src/probes/certificates.js';
import { createHttpProbe } from '../../src/probes/http.js';
import { createOpsStore, type OpsStore } from '../../src/state/store.js';
import { startEndpointServers, type EndpointServers } from '../helpers/endpoint-servers.js';
import { filledStore } from './fixtures.js';
import { renderConsole } from './harness.js';

let srv: EndpointServers;
// Judged at once (the console's default waits out the 2-minute window before a down endpoint is CRITICAL).
const rules = mergeRules({ 'http.up': { sustain: 0 }, 'http.latencyMs': { sustain: 0 } }, 'test');
const endpointStore = () =>
  createOpsStore({ rules, origins: { host: 'configured', postgres: 'not_configured', redis: 'not_configured' } });

beforeAll(async () => {
  srv = await startEndpointServers();
  writeFileSync(path.join(srv.dir, 'junk.pem'), 'garbage\n');
}, 60_000);
afterAll(() => srv?.close());
afterEach(() => cleanup());

const endpoint = (name: string, url: string, tlsVerify = true): HttpEndpoint => ({
  name,
  url,
  method: 'GET',
  expectStatus: null,
  headers: {},
  timeout: 700,
  interval: 10_000,
  tlsVerify,
});

async function readInto(store: OpsStore): Promise<void> {
  const http = createHttpProbe(
    [
      endpoint('api', `${srv.plain}/ok`),
      endpoint('broken', `${srv.plain}/fail`),
      endpoint('hangs', `${srv.plain}/never`),
      endpoint('shop', `${srv.soon}/ok`, false),
    ],
    1000,
  );
  const certs = createCertificatesProbe(
    [
      { name: 'le', file: `${srv.dir}/live/*/cert.pem` },
      { name: 'junk', file: `${srv.dir}/junk.pem` },
    ],
    600_000,
    1000,
  );
  const [h, c] = await Promise.all([http.read(new AbortController().signal), certs.read(new AbortController().signal)]);
  const now = Date.now();
  store.getState().applyResult('http', h, now);
  store.getState().applyResult('certificates', c, now);
}

describe('Endpoints on the Overview and in their view', () => {
  it('the Overview shows an Endpoints panel with one line per endpoint and certificate', async () => {
    const store = endpointStore();
    await readInto(store);
    const ui = renderConsole(store, { columns: 100, rows: 34 });
    const f = await ui.waitFor('Endpoints');
    expect(f).toMatch(/✓ OK\s+api\s+200 · \d+ ms/);
    expect(f).toMatch(/✗ CRIT\s+broken\s+DOWN · answered 500, expected below 400/);
    expect(f).toMatch(/✗ CRIT\s+hangs\s+DOWN · no answer within 700 ms/);
    expect(f).toMatch(/✗ CRIT\s+shop\s+200 · \d+ ms · cert [23](\.\d)? d/);
    expect(f).toMatch(/le\/good\.test\s+certificate (89|90)(\.\d)? d left · CN=good\.test/);
    // The grid is still there.
    expect(f).toContain('PostgreSQL not configured');
    for (const line of f.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('the Overview has no Endpoints panel when none are watched', async () => {
    const ui = renderConsole(filledStore());
    const f = await ui.waitFor('PostgreSQL');
    expect(f).not.toContain('Endpoints');
  });

  it('E opens the view: each endpoint’s last answer, then the certificate files with subject and issuer', async () => {
    const store = endpointStore();
    await readInto(store);
    const ui = renderConsole(store, { columns: 100, rows: 30 });
    await ui.waitFor('Over');
    await ui.command('view.endpoints');
    let f = await ui.waitFor('▸ Endpoints');
    expect(f).toMatch(/\[E Endpoints\]/);
    expect(f).toMatch(/api\s+✓ OK\s+up\s+200\s+\d+ ms\s+—\s+GET http:\/\/127\.0\.0\.1/);
    expect(f).toMatch(/broken\s+✗ CRIT\s+DOWN\s+500\s+\d+ ms\s+—\s+answered 500/);
    expect(f).toMatch(/hangs\s+✗ CRIT\s+DOWN\s+—\s+—\s+—\s+no answer within 700 ms/);
    expect(f).toMatch(/shop\s+✗ CRIT\s+up\s+200\s+\d+ ms\s+[23](\.\d)? d/);
    expect(f).toMatch(/le\/soon\.test\s+✗ CRIT\s+[23](\.\d)? d\s+\d{4}-\d\d-\d\d\s+CN=soon\.test, O=opsdeck test/);
    expect(f).toMatch(/junk\s+\? UNKNOWN\s+—\s+—\s+not a PEM certificate/);
    // The selected endpoint's details.
    expect(f).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/ok → 200 in \d+ ms/);
    await ui.command('bottom');
    f = await ui.waitFor(/certificate CN=soon\.test, O=opsdeck test · issuer CN=soon\.test/);
    expect(f).toMatch(/valid to \d{4}-\d\d-\d\d · [23](\.\d)? d left/);
    await ui.command('focus.next');
    f = await ui.waitFor('▸ Certificates');
    expect(f).toMatch(/live\/good\.test\/cert\.pem/);
  });
});
