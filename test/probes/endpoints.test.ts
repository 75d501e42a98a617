// HTTP endpoints and certificate files (issue 15 points 1 and 2) against real loopback HTTP and
// HTTPS servers whose certificates the real openssl made: OK, slow, 500, never answering, refused,
// a certificate expiring in 3 days and one valid 90 days; certificate files found by a glob.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbes } from '../../src/app/probes.js';
import { collectStatus, runStatus, type StatusReport } from '../../src/cli/status.js';
import { ConfigError } from '../../src/config/load.js';
import { loadConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createCertificatesProbe, type CertificatesReading } from '../../src/probes/certificates.js';
import { createHttpProbe, type HttpReading } from '../../src/probes/http.js';
import { createOpsStore, metricKey } from '../../src/state/store.js';
import { startEndpointServers, TOKEN, type EndpointServers } from '../helpers/endpoint-servers.js';

let srv: EndpointServers;
const cfgDir = mkdtempSync(path.join(tmpdir(), 'opsdeck-endpoints-cfg-'));
let n = 0;

async function config(input: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<OpsdeckConfig> {
  const file = path.join(cfgDir, `c${n++}.yaml`);
  writeFileSync(file, JSON.stringify(input));
  return loadConfig({ configPath: file, env: { HOME: cfgDir, ...env }, discover: false });
}

async function configError(input: unknown, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await config(input as ConfigInput, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function endpoints(): ConfigInput {
  return {
    probeTimeout: '1s',
    targets: {
      docker: { enabled: false },
      http: [
        { name: 'ok', url: `${srv.plain}/ok` },
        { name: 'slow', url: `${srv.plain}/slow` },
        { name: 'fail', url: `${srv.plain}/fail` },
        { name: 'never', url: `${srv.plain}/never` },
        { name: 'refused', url: `${srv.refused}/ok` },
        { name: 'soon', url: `${srv.soon}/ok`, tlsVerify: false },
        { name: 'good', url: `${srv.good}/ok`, tlsVerify: false },
        { name: 'strict', url: `${srv.good}/ok` },
        { name: 'auth', url: `${srv.plain}/auth`, headers: { Authorization: { env: 'API_TOKEN' } } },
        { name: 'teapot', url: `${srv.plain}/fail`, expectStatus: [500, 503] },
      ],
      certificates: [
        { name: 'le', file: `${srv.dir}/live/*/cert.pem` },
        { name: 'junk', file: `${srv.dir}/junk.pem` },
      ],
    },
  };
}

beforeAll(async () => {
  srv = await startEndpointServers();
  writeFileSync(path.join(srv.dir, 'junk.pem'), 'this is not a certificate\n');
}, 60_000);

afterAll(async () => {
  await srv?.close();
  rmSync(cfgDir, { recursive: true, force: true });
});

describe('targets.http and targets.certificates: configuration', () => {
  it('resolves headers from the environment and caps the timeout at probeTimeout', async () => {
    const c = await config(endpoints(), { API_TOKEN: TOKEN });
    const auth = c.http.find((e) => e.name === 'auth')!;
    expect(auth.headers).toEqual({ Authorization: TOKEN });
    expect(c.http.find((e) => e.name === 'ok')).toMatchObject({ method: 'GET', interval: 10_000, timeout: 1000 });
    const long = await config({
      probeTimeout: '2s',
      targets: { http: [{ name: 'a', url: srv.plain, timeout: '30s' }] },
    });
    expect(long.http[0]!.timeout).toBe(2000);
    expect(c.certificates).toHaveLength(2);
  });

  it('refuses bad entries with one clear line each', async () => {
    const literal = await configError({
      targets: { http: [{ name: 'a', url: 'https://x.test/', headers: { Authorization: 'Bearer literal' } }] },
    });
    expect(literal).toMatch(/targets\.http\.0\.headers\.Authorization.*\{ env: NAME \}/);
    expect(literal).not.toContain('Bearer literal');
    expect(await configError({ targets: { http: [{ name: 'a', url: 'ftp://x.test/' }] } })).toMatch(
      /url.*expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(
      await configError({ targets: { http: [{ name: 'a', url: 'http://x/', headers: { A: { env: 'NOPE_X' } } }] } }),
    ).toMatch(/targets\.http\[0\]\.headers\.A: the environment variable NOPE_X is not set/);
    expect(
      await configError({
        targets: {
          http: [
            { name: 'a', url: 'http://x/' },
            { name: 'a', url: 'http://y/' },
          ],
        },
      }),
    ).toMatch(/"a" is used by another endpoint/);
    expect(await configError({ targets: { certificates: [{ name: 'c', file: 'relative/cert.pem' }] } })).toMatch(
      /file.*expected an absolute path/,
    );
    expect(await configError({ targets: { http: [{ name: 'a', url: 'http://x/', expectStatus: 42 }] } })).toMatch(
      /expectStatus/,
    );
  });
});

describe('the http probe against real loopback servers', () => {
  it('reads every endpoint in parallel: a hanging one times out within probeTimeout, the others answer', async () => {
    const c = await config(endpoints(), { API_TOKEN: TOKEN });
    const probe = createHttpProbe(c.http, c.probeTimeout);
    const started = performance.now();
    const r = await probe.read(new AbortController().signal);
    const took = performance.now() - started;
    expect(r.ok).toBe(true);
    // Every endpoint at once: the whole read is the slowest endpoint (the timeout), not the sum.
    expect(took).toBeLessThan(c.probeTimeout);
    const e = Object.fromEntries((r.ok ? (r.reading as HttpReading).endpoints : []).map((x) => [x.name, x]));
    expect(e.ok).toMatchObject({ up: true, status: 200, error: null });
    expect(e.slow).toMatchObject({ up: true, status: 200 });
    expect(e.slow!.latencyMs).toBeGreaterThanOrEqual(300);
    expect(e.fail).toMatchObject({
      up: false,
      status: 500,
      errorKind: 'status',
      error: 'answered 500, expected below 400',
    });
    expect(e.teapot).toMatchObject({ up: true, status: 500 });
    expect(e.never).toMatchObject({ up: false, errorKind: 'timeout', latencyMs: null });
    expect(e.refused).toMatchObject({ up: false, errorKind: 'refused', error: 'connection refused' });
    expect(e.strict).toMatchObject({ up: false, errorKind: 'tls' });
    expect(e.auth).toMatchObject({ up: true, status: 200 });
    expect(e.soon!.certificate?.subject).toContain('CN=soon.test');
    expect(e.soon!.daysLeft).toBeGreaterThan(2);
    expect(e.soon!.daysLeft).toBeLessThanOrEqual(3);
    expect(e.good!.daysLeft).toBeGreaterThan(89);
    const metric = (m: string, i: string) => r.metrics.find((s) => s.metric === m && s.instance === i)?.value;
    expect(metric('http.up', 'ok')).toBe(1);
    expect(metric('http.up', 'fail')).toBe(0);
    expect(metric('http.up', 'never')).toBe(0);
    expect(metric('http.latencyMs', 'never')).toBeUndefined();
    expect(metric('http.latencyMs', 'fail')).toBeGreaterThan(0);
    expect(metric('tls.daysLeft', 'soon')).toBe(e.soon!.daysLeft);
    expect(r.metrics.some((s) => s.metric === 'tls.daysLeft' && s.instance === 'ok')).toBe(false);
  });

  it('asks each endpoint once per its own interval and lists the last answer in between', async () => {
    const c = await config({
      targets: {
        http: [
          { name: 'fast', url: `${srv.plain}/ok?fast`, interval: '1s' },
          { name: 'rare', url: `${srv.plain}/ok?rare`, interval: '1h' },
        ],
      },
    });
    let t = 1_000_000;
    const probe = createHttpProbe(c.http, c.probeTimeout, { now: () => t });
    expect(probe.interval).toBe(1000);
    await probe.read(new AbortController().signal);
    t += 1000;
    const r = await probe.read(new AbortController().signal);
    expect(srv.hits.get('/ok?fast')).toBe(2);
    expect(srv.hits.get('/ok?rare')).toBe(1);
    expect(r.metrics.filter((m) => m.metric === 'http.up').map((m) => m.instance)).toEqual(['fast', 'rare']);
  });

  it('down is CRITICAL in the console only once it lasted the sustain window (2 min)', async () => {
    const c = await config({ targets: { http: [{ name: 'api', url: `${srv.plain}/fail` }] } });
    const probe = createHttpProbe(c.http, c.probeTimeout);
    const store = createOpsStore({ rules: c.rules });
    const key = metricKey('http.up', 'api');
    const t0 = 5_000_000;
    store.getState().applyResult('http', await probe.read(new AbortController().signal), t0);
    expect(store.getState().alerts[key]?.level).toBe('OK');
    store.getState().applyResult('http', await probe.read(new AbortController().signal), t0 + 60_000);
    expect(store.getState().alerts[key]?.level).toBe('OK');
    // The probe reuses its answer within the interval: the same down answer, two minutes on.
    store.getState().applyResult('http', await probe.read(new AbortController().signal), t0 + 120_000);
    expect(store.getState().alerts[key]?.level).toBe('CRITICAL');
  });
});

describe('the certificates probe', () => {
  it('finds files by glob (one instance each), reads subject, issuer and days left; garbage is a problem', async () => {
    const c = await config(endpoints(), { API_TOKEN: TOKEN });
    const probe = createCertificatesProbe(c.certificates, 600_000, c.probeTimeout);
    const r = await probe.read(new AbortController().signal);
    expect(r.ok).toBe(true);
    const reading = (r.ok ? r.reading : null) as CertificatesReading;
    const by = Object.fromEntries(reading.certificates.map((x) => [x.instance, x]));
    expect(Object.keys(by).sort()).toEqual(['junk', 'le/good.test', 'le/soon.test']);
    expect(by['le/soon.test']).toMatchObject({ subject: 'CN=soon.test, O=opsdeck test', error: null });
    expect(by['le/soon.test']!.issuer).toBe('CN=soon.test, O=opsdeck test');
    expect(by['le/soon.test']!.daysLeft).toBeLessThanOrEqual(3);
    expect(by['le/good.test']!.daysLeft).toBeGreaterThan(89);
    expect(by.junk).toMatchObject({ daysLeft: null, subject: null });
    expect(reading.problems).toEqual([
      `junk: ${srv.dir}/junk.pem: not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")`,
    ]);
    const none = createCertificatesProbe([{ name: 'gone', file: `${srv.dir}/nothing/*/cert.pem` }], 1000, 1000);
    const g = await none.read(new AbortController().signal);
    expect(g.ok && (g.reading as CertificatesReading).problems).toEqual([
      `gone: ${srv.dir}/nothing/*/cert.pem: no file matches`,
    ]);
  });
});

describe('opsdeck status with endpoints and certificates', () => {
  it('--json lists each endpoint and certificate as a check instance, judged at the default limits', async () => {
    const c = await config(endpoints(), { API_TOKEN: TOKEN });
    const probes = createProbes(c, { oneShot: true }).filter((p) => p.id === 'http' || p.id === 'certificates');
    expect(probes.map((p) => p.id)).toEqual(['http', 'certificates']);
    const out = { text: '', write: (s: string) => (out.text += s) };
    const started = performance.now();
    const code = await runStatus({ config: c, json: true, stdout: out, probes, env: {}, hostname: 'box' });
    // Bounded by the probe timeout even with an endpoint that never answers.
    expect(performance.now() - started).toBeLessThan(c.probeTimeout + 1000);
    expect(out.text).not.toContain('s3cret');
    const report = JSON.parse(out.text) as StatusReport;
    expect(code).toBe(2);
    const level = (metric: string, instance: string) =>
      report.checks.find((x) => x.metric === metric && x.instance === instance)?.level;
    expect(level('http.up', 'ok')).toBe('OK');
    expect(level('http.up', 'fail')).toBe('CRITICAL');
    expect(level('http.up', 'never')).toBe('CRITICAL');
    expect(level('http.up', 'refused')).toBe('CRITICAL');
    expect(level('http.up', 'auth')).toBe('OK');
    expect(level('http.latencyMs', 'ok')).toBe('OK');
    expect(level('http.latencyMs', 'slow')).toBe('WARNING');
    expect(level('tls.daysLeft', 'soon')).toBe('CRITICAL');
    expect(level('tls.daysLeft', 'good')).toBe('OK');
    expect(level('tls.daysLeft', 'le/soon.test')).toBe('CRITICAL');
    expect(level('tls.daysLeft', 'le/good.test')).toBe('OK');
    expect(level('tls.daysLeft', 'junk')).toBe('UNKNOWN');
    expect(report.targets.filter((t) => t.origin === 'configured').map((t) => t.id)).toEqual([
      'host',
      'http',
      'certificates',
    ]);
    expect(report.checks.filter((x) => x.target === 'http' && x.metric === 'http.up')).toHaveLength(10);
  });

  it('the table names each check by its endpoint', async () => {
    const c = await config({
      probeTimeout: '1s',
      targets: { http: [{ name: 'site', url: `${srv.soon}/ok`, tlsVerify: false }] },
    });
    const report = await collectStatus({
      config: c,
      probes: createProbes(c, { oneShot: true }).filter((p) => p.id === 'http'),
    });
    const out = { text: '', write: (s: string) => (out.text += s) };
    await runStatus({
      config: c,
      json: false,
      stdout: out,
      probes: createProbes(c).filter((p) => p.id === 'http'),
      env: {},
    });
    expect(report.worst).toBe('CRITICAL');
    expect(out.text).toMatch(/http\s+up site\s+up\s+must answer\s+\S+ OK/);
    expect(out.text).toMatch(/http\s+tls\.daysLeft site\s+\d(\.\d)? d\s+≤30 d ≤7 d\s+\S+ CRIT/);
  });
});
