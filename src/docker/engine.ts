// Our Docker Engine API client: plain HTTP over the engine's unix socket (or TCP), with node:http.
// We used dockerode before; its module graph (docker-modem, ssh2, and @grpc/grpc-js with
// protobufjs for BuildKit sessions) is a 1.1 MB chunk that cost the console about 10 MiB of RSS
// for the dozen endpoints we call. Every name or id goes into the path percent-encoded, so odd
// characters reach the engine as data. Failures are DockerApiError (the engine answered with an
// error status; `statusCode` and the engine's `message`) or Node's own network errors (`code`:
// ECONNREFUSED, ENOENT, EACCES, ETIMEDOUT…), which the probe boundary and dockerError() word.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type Https from 'node:https';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateSpec,
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  EngineVersion,
  ImageInspect,
} from './types.js';

/** Where the engine listens: a unix socket, or host and port. */
export interface EngineEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

export interface EngineOptions {
  /** Per-request inactivity timeout in ms (default 60 s); streams opened with follow have none. */
  timeoutMs?: number;
}

/** The engine answered with an error status. */
export class DockerApiError extends Error {
  readonly json: { message?: string } | null;
  constructor(
    readonly statusCode: number,
    message: string | undefined,
    readonly path: string,
  ) {
    super(message ? `${message} (HTTP ${statusCode})` : `HTTP ${statusCode} from the Docker engine for ${path}`);
    this.name = 'DockerApiError';
    this.json = message !== undefined ? { message } : null;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  /** JSON body, or a stream sent as-is with `contentType`. */
  body?: unknown;
  stream?: Readable;
  contentType?: string;
  signal?: AbortSignal;
  /** No inactivity timeout (long-lived streams). */
  noTimeout?: boolean;
  /** Added to the client's timeout (the engine itself waits this long, e.g. a stop's grace). */
  extraTimeoutMs?: number;
}

const MAX_BODY = 64 * 1024 * 1024;

/**
 * The Engine API version every request names (`/v1.41/containers/json`): the engine then answers
 * in that version's shapes whatever its own release, instead of the newest one it knows (an
 * unversioned path is "the latest", which changes under us). 1.41 is Docker 20.10, the oldest
 * engine of the Debian releases we support; newer engines accept it (their minimum is 1.24).
 */
export const ENGINE_API_VERSION = '1.41';

export class DockerEngine {
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(
    readonly endpoint: EngineEndpoint,
    opts: EngineOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    // Keep-alive: a probe read is 1 + n requests every interval; idle sockets are unref'd by the agent.
    const agentOpts = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4 };
    this.agent = endpoint.protocol === 'https' ? new (httpsModule().Agent)(agentOpts) : new http.Agent(agentOpts);
  }

  /** Closes idle keep-alive sockets. The client still works afterwards (new sockets are opened). */
  close(): void {
    this.agent.destroy();
  }

  /** `GET /_ping` → "OK". */
  async ping(signal?: AbortSignal): Promise<string> {
    return (await this.buffer('GET', '/_ping', { signal })).toString('utf8');
  }

  version(signal?: AbortSignal): Promise<EngineVersion> {
    return this.json<EngineVersion>('GET', '/version', { signal });
  }

  listContainers(opts: { all?: boolean; signal?: AbortSignal } = {}): Promise<ContainerSummary[]> {
    return this.json<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: opts.all ? 1 : undefined },
      signal: opts.signal,
    }).then(expectArray('/containers/json'));
  }

  /** A handle on container `nameOrId` (nothing is sent until a method is called). */
  container(nameOrId: string): ContainerHandle {
    return new ContainerHandle(this, nameOrId);
  }

  /** `POST /containers/create`; returns a handle on the new container. */
  async createContainer(spec: ContainerCreateSpec, name?: string): Promise<ContainerHandle> {
    const r = await this.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body: spec });
    if (typeof r?.Id !== 'string')
      throw new DockerApiError(500, 'the engine created a container but returned no id', '/containers/create');
    return this.container(r.Id);
  }

  /** Imports a root filesystem tarball as image `repo:tag` (`docker import`). */
  async importImage(tarFile: string, ref: { repo: string; tag: string }): Promise<void> {
    const body = await this.buffer('POST', '/images/create', {
      query: { fromSrc: '-', repo: ref.repo, tag: ref.tag },
      stream: createReadStream(tarFile),
      contentType: 'application/x-tar',
    });
    // The answer is a stream of JSON progress messages; a failure arrives as one with "error".
    for (const line of body.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      let msg: { error?: string; errorDetail?: { message?: string } };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.error) throw new DockerApiError(500, msg.errorDetail?.message ?? msg.error, '/images/create');
    }
  }

  inspectImage(name: string, signal?: AbortSignal): Promise<ImageInspect> {
    return this.json<ImageInspect>('GET', `/images/${encodeURIComponent(name)}/json`, { signal });
  }

  /** A request whose answer is JSON (or empty: 204/304 give undefined). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const body = await this.buffer(method, path, opts);
    if (body.length === 0) return undefined as T;
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new DockerApiError(502, `the engine answered ${path} with something that is not JSON`, path);
    }
  }

  /** A request whose whole answer is read into memory (bounded). */
  async buffer(method: string, path: string, opts: RequestOptions = {}): Promise<Buffer> {
    const res = await this.open(method, path, opts);
    const chunks: Buffer[] = [];
    let size = 0;
    return await new Promise<Buffer>((resolve, reject) => {
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          res.destroy(new DockerApiError(502, `the engine's answer to ${path} exceeds ${MAX_BODY} bytes`, path));
          return;
        }
        chunks.push(c);
      });
      res.once('end', () => resolve(Buffer.concat(chunks, size)));
      res.once('error', reject);
      res.once('close', () => {
        if (!res.complete)
          reject(
            abortReason(opts.signal) ??
              Object.assign(new Error(`the engine closed the connection while answering ${path}`), {
                code: 'ECONNRESET',
              }),
          );
      });
    });
  }

  /**
   * Sends a request and resolves with the response once its status is known; an error status is
   * read and rejected as DockerApiError. The caller consumes (or destroys) the response.
   */
  open(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const url = `/v${ENGINE_API_VERSION}${path}${queryString(opts.query)}`;
    const { socketPath, host, port, protocol } = this.endpoint;
    const payload = opts.body !== undefined ? Buffer.from(JSON.stringify(opts.body)) : undefined;
    const headers: http.OutgoingHttpHeaders = {
      Host: socketPath ? 'docker' : `${host ?? 'localhost'}:${port ?? 2375}`,
    };
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    else if (opts.stream)
      Object.assign(headers, {
        'Content-Type': opts.contentType ?? 'application/octet-stream',
        'Transfer-Encoding': 'chunked',
      });
    const mod = protocol === 'https' ? httpsModule() : http;
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      const early = abortReason(signal);
      if (early) return reject(early);
      const req = mod.request({
        method,
        path: url,
        headers,
        agent: this.agent,
        ...(socketPath ? { socketPath } : { host: host ?? 'localhost', port: port ?? 2375 }),
      });
      const onAbort = (): void => {
        req.destroy(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort);
      if (!opts.noTimeout) {
        const limit = this.timeoutMs + (opts.extraTimeoutMs ?? 0);
        req.setTimeout(limit, () => {
          req.destroy(
            Object.assign(new Error(`the Docker engine did not answer ${method} ${path} within ${limit / 1000} s`), {
              code: 'ETIMEDOUT',
            }),
          );
        });
      }
      req.once('error', (err) => {
        cleanup();
        reject(err);
      });
      req.once('response', (res) => {
        const status = res.statusCode ?? 0;
        res.once('close', cleanup);
        if (status >= 200 && status < 300) return resolve(res);
        // 304 "not modified" (already started / already stopped) is an answer, not a failure, for
        // the caller to interpret: surface it as an error status so actions can word it.
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length < 64) chunks.push(c);
        });
        res.once('end', () => reject(new DockerApiError(status, engineMessage(Buffer.concat(chunks)), path)));
        res.once('error', reject);
      });
      if (payload) req.end(payload);
      else if (opts.stream) {
        opts.stream.once('error', (err) => req.destroy(err));
        opts.stream.pipe(req);
      } else req.end();
    });
  }
}

// What the engine accepts as a container name (a leading slash allowed) or id. Anything else can
// name no container; refusing it here also keeps the engine's path cleaning ("..") out of play.
const CONTAINER_REF = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** One container, addressed by name or id. */
export class ContainerHandle {
  private readonly base: string;
  private readonly invalid: boolean;
  constructor(
    private readonly engine: DockerEngine,
    readonly ref: string,
  ) {
    this.invalid = !CONTAINER_REF.test(ref) || ref.length > 256;
    this.base = `/containers/${encodeURIComponent(ref)}`;
  }

  async inspect(signal?: AbortSignal): Promise<ContainerInspect> {
    return this.api()
      .json<ContainerInspect>('GET', `${this.base}/json`, { signal })
      .then(expectObject(`${this.base}/json`));
  }

  async start(signal?: AbortSignal): Promise<void> {
    await this.api().buffer('POST', `${this.base}/start`, { signal });
  }

  /** `t`: seconds the engine waits after SIGTERM before it kills. */
  async stop(opts: { t?: number; signal?: AbortSignal } = {}): Promise<void> {
    await this.api().buffer('POST', `${this.base}/stop`, {
      query: { t: opts.t },
      signal: opts.signal,
      ...this.graceTimeout(opts.t),
    });
  }

  async restart(opts: { t?: number; signal?: AbortSignal } = {}): Promise<void> {
    await this.api().buffer('POST', `${this.base}/restart`, {
      query: { t: opts.t },
      signal: opts.signal,
      ...this.graceTimeout(opts.t),
    });
  }

  async remove(opts: { force?: boolean; volumes?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.api().buffer('DELETE', this.base, {
      query: { force: opts.force ? 1 : undefined, v: opts.volumes ? 1 : undefined },
      signal: opts.signal,
    });
  }

  /** One stats sample (`stream=false`: the engine waits about a second for a second CPU reading). */
  async stats(signal?: AbortSignal): Promise<ContainerStats> {
    return this.api()
      .json<ContainerStats>('GET', `${this.base}/stats`, { query: { stream: 0 }, signal })
      .then(expectObject(`${this.base}/stats`));
  }

  /** The log stream, raw: multiplexed frames for non-TTY containers (see logs/docker-frames.ts). */
  async logs(opts: {
    follow: boolean;
    tail?: number | 'all';
    stdout?: boolean;
    stderr?: boolean;
    signal?: AbortSignal;
  }): Promise<Readable> {
    return this.api().open('GET', `${this.base}/logs`, {
      query: {
        follow: opts.follow ? 1 : 0,
        stdout: opts.stdout === false ? 0 : 1,
        stderr: opts.stderr === false ? 0 : 1,
        tail: opts.tail ?? 'all',
      },
      signal: opts.signal,
      noTimeout: opts.follow,
    });
  }

  /** Everything logged so far, raw (multiplexed for non-TTY containers). */
  async logsBuffer(opts: { tail?: number | 'all'; signal?: AbortSignal } = {}): Promise<Buffer> {
    return this.api().buffer('GET', `${this.base}/logs`, {
      query: { stdout: 1, stderr: 1, tail: opts.tail ?? 'all' },
      signal: opts.signal,
    });
  }

  private api(): DockerEngine {
    if (this.invalid)
      throw new DockerApiError(
        404,
        `No such container: ${JSON.stringify(this.ref)} is not a valid container name or id`,
        '/containers',
      );
    return this.engine;
  }

  /** Stop and restart wait up to `t` seconds inside the engine before answering. */
  private graceTimeout(t: number | undefined): Partial<RequestOptions> {
    return { extraTimeoutMs: (t ?? 10) * 1000 };
  }
}

// TLS is loaded only for an https endpoint (most engines are a local socket).
const httpsModule = (): typeof Https => process.getBuiltinModule('node:https');

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'boolean' ? (v ? '1' : '0') : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function engineMessage(body: Buffer): string | undefined {
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through to the text itself
  }
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function abortReason(signal: AbortSignal | undefined): Error | undefined {
  if (!signal?.aborted) return undefined;
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  return Object.assign(new Error('the request was cancelled'), { name: 'AbortError', code: 'ABORT_ERR' });
}

function expectArray<T>(path: string): (v: T[]) => T[] {
  return (v) => {
    if (!Array.isArray(v))
      throw new DockerApiError(502, `the engine answered ${path} with something that is not a list`, path);
    return v;
  };
}

function expectObject<T>(path: string): (v: T) => T {
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new DockerApiError(502, `the engine answered ${path} with something that is not an object`, path);
    return v;
  };
}
