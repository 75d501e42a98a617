// One HTTP(S) request as a check makes it: the endpoint probe (targets.http) and the health checks
// of plans both ask "does this URL answer, how fast, with which status, and — for https — until
// when is its certificate valid?". Node's own http/https client: it hands over the peer
// certificate (fetch does not) and lets one request skip verification (tlsVerify: false) without
// a process-wide switch. Never rejects: every outcome is an HttpAnswer. The body is read and
// dropped (at most `maxBodyBytes` are kept for the answer's text), so a huge page cannot grow memory.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpRequestOptions {
  url: string;
  /** Default GET. */
  method?: string;
  /** Header name → value (values may come from the environment: the caller resolves them). */
  headers?: Record<string, string>;
  /** Whole request, connect to last byte. */
  timeoutMs: number;
  /** https: verify the certificate chain and host name (default true). */
  tlsVerify?: boolean;
  signal?: AbortSignal;
  /** How much of the body to keep for the answer (default 512 bytes). */
  maxBodyBytes?: number;
}

/** The peer certificate of an https answer. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
  /** ms since epoch. */
  validTo: number;
  validFrom: number;
}

export interface HttpAnswer {
  /** An HTTP answer arrived (any status). */
  ok: boolean;
  status?: number;
  /** Time to the whole answer (or to the failure), ms. */
  latencyMs: number;
  /** The first bytes of the body, as text. */
  body?: string;
  certificate?: PeerCertificate;
  /** Why there is no answer: "timeout after 3 s", "connection refused", "certificate has expired"… */
  error?: string;
  errorKind?: 'timeout' | 'refused' | 'tls' | 'dns' | 'protocol' | 'cancelled';
}

function describe(err: NodeJS.ErrnoException): Pick<HttpAnswer, 'error' | 'errorKind'> {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return { error: 'connection refused', errorKind: 'refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { error: `host not found (${code})`, errorKind: 'dns' };
  if (code === 'ECONNRESET') return { error: 'connection reset by the server', errorKind: 'protocol' };
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ERR_TLS/i.test(code) || /certificate/i.test(err.message))
    return { error: `TLS: ${err.message}`, errorKind: 'tls' };
  return { error: err.message || code || 'request failed', errorKind: 'protocol' };
}

function certOf(socket: unknown): PeerCertificate | undefined {
  const s = socket as Partial<TLSSocket> | undefined;
  if (!s || typeof s.getPeerCertificate !== 'function') return undefined;
  const c = s.getPeerCertificate(false);
  if (!c || !c.valid_to) return undefined;
  const name = (o: Record<string, string | string[] | undefined> | undefined): string =>
    o
      ? Object.entries(o)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
          .join(', ')
      : '';
  return {
    subject: name(c.subject as unknown as Record<string, string>),
    issuer: name(c.issuer as unknown as Record<string, string>),
    validTo: Date.parse(c.valid_to),
    validFrom: Date.parse(c.valid_from),
  };
}

/** Makes one request; resolves with what happened, never rejects. */
export function httpRequest(opts: HttpRequestOptions): Promise<HttpAnswer> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return Promise.resolve({ ok: false, latencyMs: 0, error: `not a URL: ${opts.url}`, errorKind: 'protocol' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.resolve({
      ok: false,
      latencyMs: 0,
      error: `only http and https URLs are checked (got ${url.protocol})`,
      errorKind: 'protocol',
    });
  const max = opts.maxBodyBytes ?? 512;
  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    let certificate: PeerCertificate | undefined;
    const finish = (a: Omit<HttpAnswer, 'latencyMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...a, latencyMs: elapsed(), ...(certificate && !a.certificate ? { certificate } : {}) });
      req.destroy();
    };
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { 'user-agent': 'opsdeck-check', ...opts.headers },
        agent: false,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: opts.tlsVerify !== false } : {}),
      },
      (res) => {
        certificate ??= certOf(res.socket);
        const kept: Buffer[] = [];
        let keptBytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (keptBytes < max) {
            kept.push(chunk.subarray(0, max - keptBytes));
            keptBytes += Math.min(chunk.length, max - keptBytes);
          }
        });
        res.on('end', () =>
          finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(kept).toString('utf8') }),
        );
        res.on('error', (err) => finish({ ok: false, status: res.statusCode ?? 0, ...describe(err) }));
      },
    );
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => (certificate ??= certOf(socket)));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, ...describe(err) }));
    const timer = setTimeout(
      () => finish({ ok: false, error: `no answer within ${opts.timeoutMs} ms`, errorKind: 'timeout' }),
      opts.timeoutMs,
    );
    const onAbort = (): void => finish({ ok: false, error: 'cancelled', errorKind: 'cancelled' });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
