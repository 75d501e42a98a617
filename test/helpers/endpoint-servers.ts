// Real HTTP and HTTPS servers on loopback for the endpoint checks, with certificates made by the
// real openssl: one expiring in 3 days, one valid 90 days. Paths: /ok, /slow (answers after
// `slowMs`), /fail (500), /never (never answers), /auth (200 only with the expected bearer token).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkRequirement } from '../../src/sandbox/requirements.js';

export const TOKEN = 'Bearer s3cret-token-for-test';

/** Makes a self-signed certificate with openssl, valid `days` days; returns the key and cert paths. */
export function makeCertificate(dir: string, cn: string, days: number): { key: string; cert: string } {
  // A missing openssl is a failing test with the package to install, never a skip.
  const req = checkRequirement('openssl');
  if (!req.ok) throw new Error(`openssl: ${req.problem ?? 'not found'} (Debian package: ${req.debianPackage})`);
  mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'privkey.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${cn}/O=opsdeck test`,
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { key, cert };
}

export interface EndpointServers {
  dir: string;
  /** http://127.0.0.1:port */
  plain: string;
  /** https with the 3-day certificate. */
  soon: string;
  /** https with the 90-day certificate. */
  good: string;
  /** A loopback port nothing listens on. */
  refused: string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startEndpointServers(opts: { slowMs?: number } = {}): Promise<EndpointServers> {
  const slowMs = opts.slowMs ?? 350;
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-endpoints-'));
  const soonCert = makeCertificate(path.join(dir, 'live', 'soon.test'), 'soon.test', 3);
  const goodCert = makeCertificate(path.join(dir, 'live', 'good.test'), 'good.test', 90);
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const handler: http.RequestListener = (req, res) => {
    const p = req.url ?? '/';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (p === '/ok') return void res.end('fine');
    if (p === '/slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        res.end('slow but fine');
      }, slowMs);
      timers.add(t);
      return;
    }
    if (p === '/fail') {
      res.statusCode = 500;
      return void res.end('boom');
    }
    if (p === '/auth') {
      res.statusCode = req.headers.authorization === TOKEN ? 200 : 401;
      return void res.end();
    }
    // '/never': no answer at all
  };
  const plain = http.createServer(handler);
  const soon = https.createServer({ key: readFileSync(soonCert.key), cert: readFileSync(soonCert.cert) }, handler);
  const good = https.createServer({ key: readFileSync(goodCert.key), cert: readFileSync(goodCert.cert) }, handler);
  const servers = [plain, soon, good];
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const port = (s: net.Server) => (s.address() as AddressInfo).port;
  // A port that was free a moment ago and is closed now: connection refused.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const refusedPort = port(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  return {
    dir,
    plain: `http://127.0.0.1:${port(plain)}`,
    soon: `https://127.0.0.1:${port(soon)}`,
    good: `https://127.0.0.1:${port(good)}`,
    refused: `http://127.0.0.1:${refusedPort}`,
    hits,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
