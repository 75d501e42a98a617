// The one HTTP(S) request behind endpoint probes and health checks, against real loopback servers:
// a certificate made with the real openssl, answers OK, 500, never; a closed port.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/probes/http-request.js';

const handler: http.RequestListener = (req, res) => {
  if (req.url === '/ok') return void res.end('fine');
  if (req.url === '/fail') {
    res.statusCode = 500;
    return void res.end('boom');
  }
  // '/never': no answer at all
};

describe('httpRequest', () => {
  let dir: string;
  let plain: http.Server;
  let secure: https.Server;
  let base: string;
  let tls: string;
  let notAfter: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-http-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '5',
        '-subj',
        '/CN=opsdeck-test',
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
    notAfter = Date.parse(
      execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', cert], { encoding: 'utf8' })
        .trim()
        .replace('notAfter=', ''),
    );
    plain = http.createServer(handler);
    secure = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    tls = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => {
    plain?.closeAllConnections();
    secure?.closeAllConnections();
    plain?.close();
    secure?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the status and the first bytes of the body', async () => {
    const a = await httpRequest({ url: `${base}/ok`, timeoutMs: 2000 });
    expect(a).toMatchObject({ ok: true, status: 200, body: 'fine' });
    const b = await httpRequest({ url: `${base}/fail`, timeoutMs: 2000 });
    expect(b).toMatchObject({ ok: true, status: 500, body: 'boom' });
  });

  it('times out on a server that never answers, within the timeout', async () => {
    const t0 = performance.now();
    const a = await httpRequest({ url: `${base}/never`, timeoutMs: 300 });
    expect(a).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('says connection refused for a closed port', async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const a = await httpRequest({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
    expect(a).toMatchObject({ ok: false, errorKind: 'refused', error: 'connection refused' });
  });

  it('refuses a self-signed certificate unless tlsVerify is off, and hands over the certificate', async () => {
    const strict = await httpRequest({ url: `${tls}/ok`, timeoutMs: 2000 });
    expect(strict).toMatchObject({ ok: false, errorKind: 'tls' });
    const lax = await httpRequest({ url: `${tls}/ok`, timeoutMs: 2000, tlsVerify: false });
    expect(lax).toMatchObject({ ok: true, status: 200 });
    expect(lax.certificate?.validTo).toBe(notAfter);
  });

  it('cancels on the signal', async () => {
    const c = new AbortController();
    const p = httpRequest({ url: `${base}/never`, timeoutMs: 10_000, signal: c.signal });
    c.abort();
    expect(await p).toMatchObject({ ok: false, errorKind: 'cancelled' });
  });

  it('says what is wrong with a URL it cannot check', async () => {
    expect(await httpRequest({ url: 'ftp://x/', timeoutMs: 100 })).toMatchObject({ ok: false, errorKind: 'protocol' });
    expect((await httpRequest({ url: 'nope', timeoutMs: 100 })).error).toBe('not a URL: nope');
  });
});
