// Our Docker Engine API client against the shared sandbox engine, checked with dockerode as an
// independent client; and against servers that answer garbage, errors or nothing.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerError } from '../../src/actions/docker-errors.js';
import {
  DockerApiError,
  DockerEngine,
  ENGINE_API_VERSION,
  demuxDockerStream,
  dockerClient,
} from '../../src/docker/index.js';
import { DockerProbe } from '../../src/probes/docker.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { waitForText } from '../helpers/wait.js';

describe.skipIf(unavailable('docker'))('DockerEngine on a real engine', () => {
  let engine: DockerEngine;
  let docker: Docker;
  let image: string;
  const created: string[] = [];

  beforeAll(() => {
    const svc = dockerService();
    engine = new DockerEngine({ socketPath: svc.socketPath });
    docker = new Docker({ socketPath: svc.socketPath });
    image = svc.image;
  });
  afterAll(async () => {
    for (const id of created)
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    engine.close();
  });

  it('pings, reads the version, and lists what dockerode lists', async () => {
    expect(await engine.ping()).toBe('OK');
    const v = await engine.version();
    expect(v.Version).toBe((await docker.version()).Version);
    expect(v.ApiVersion).toMatch(/^\d+\.\d+$/);
    const name = uniqueName('eng-list');
    const c = await engine.createContainer(
      { Image: image, Cmd: ['sleep', '60'], Labels: { 'opsdeck.test': name }, HostConfig: { NetworkMode: 'none' } },
      name,
    );
    created.push(c.ref);
    const ours = (await engine.listContainers({ all: true })).find((x) => x.Id === c.ref);
    const theirs = (await docker.listContainers({ all: true })).find((x) => x.Id === c.ref);
    expect(ours).toMatchObject({
      Id: theirs!.Id,
      Names: [`/${name}`],
      State: 'created',
      Labels: { 'opsdeck.test': name },
    });
    // Without all=1 a created (not running) container is not listed.
    expect((await engine.listContainers()).some((x) => x.Id === c.ref)).toBe(false);
  });

  it('starts, stops, restarts and inspects; 304 and 404 come back as status codes', async () => {
    const name = uniqueName('eng-life');
    const c = await engine.createContainer(
      {
        Image: image,
        Cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.1; done"],
        HostConfig: { NetworkMode: 'none' },
      },
      name,
    );
    created.push(c.ref);
    const byName = engine.container(name);
    await byName.start();
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);
    const again = await byName.start().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DockerApiError);
    expect((again as DockerApiError).statusCode).toBe(304);
    expect(dockerError(again, name, 'start').kind).toBe('already_running');
    const before = (await byName.inspect()).State.StartedAt;
    await byName.restart({ t: 2 });
    const after = await byName.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    await byName.stop({ t: 2 });
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(false);
    expect(dockerError(await byName.stop({ t: 1 }).catch((e: unknown) => e), name, 'stop').kind).toBe(
      'already_stopped',
    );
    const missing = await engine
      .container(`${name}-missing`)
      .inspect()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DockerApiError);
    expect((missing as DockerApiError).statusCode).toBe(404);
    expect((missing as DockerApiError).message).toMatch(/No such container/i);
  });

  it('sends a name with shell and URL metacharacters as data, never as a path or query', async () => {
    const odd = `x/../../version?all=1;$(touch /tmp/pwned)&y #`;
    const e = await engine
      .container(odd)
      .inspect()
      .catch((err: unknown) => err);
    // Not a valid container name: refused before any request (never /version's JSON).
    expect(e).toBeInstanceOf(DockerApiError);
    expect((e as DockerApiError).statusCode).toBe(404);
    expect(dockerError(e, odd, 'stop').kind).toBe('not_found');
    // A valid but unusual name is percent-encoded and looked up as data.
    const dotted = await engine
      .container('a..b_c-d.e')
      .inspect()
      .catch((err: unknown) => err);
    expect((dotted as DockerApiError).statusCode).toBe(404);
    expect((dotted as DockerApiError).message).toMatch(/No such container: a\.\.b_c-d\.e/);
  });

  it('follows a log stream until destroyed, and reads logs so far as one buffer', async () => {
    const name = uniqueName('eng-logs');
    const c = await engine.createContainer(
      {
        Image: image,
        Cmd: ['sh', '-c', 'echo out-1; echo err-1 >&2; i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done'],
        HostConfig: { NetworkMode: 'none' },
      },
      name,
    );
    created.push(c.ref);
    await c.start();
    const stream = await c.logs({ follow: true, tail: 'all' });
    const chunks: Buffer[] = [];
    stream.on('data', (b: Buffer) => chunks.push(b));
    await waitForText(() => demuxDockerStream(Buffer.concat(chunks)).stdout, /tick-5\n/, { timeoutMs: 10_000 });
    expect(demuxDockerStream(Buffer.concat(chunks)).stderr).toBe('err-1\n');
    stream.destroy();
    await once(stream, 'close');
    const so = demuxDockerStream(await c.logsBuffer({ tail: 'all' }));
    expect(so.stdout.startsWith('out-1\ntick-1\n')).toBe(true);
  });

  it('reads one stats sample of a running container', async () => {
    const name = uniqueName('eng-stats');
    const c = await engine.createContainer(
      { Image: image, Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' } },
      name,
    );
    created.push(c.ref);
    await c.start();
    const s = await c.stats();
    expect(s.memory_stats?.usage).toBeGreaterThan(0);
    expect(s.cpu_stats?.cpu_usage?.total_usage).toBeGreaterThan(0);
  });

  it('cancels a request with an AbortSignal', async () => {
    const name = uniqueName('eng-abort');
    const c = await engine.createContainer(
      { Image: image, Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' } },
      name,
    );
    created.push(c.ref);
    await c.start();
    const ac = new AbortController();
    // A one-shot stats call takes about a second on the engine side; abort it well before.
    const p = c.stats(ac.signal).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    const e = await p;
    expect(e).toBeInstanceOf(Error);
    expect(performance.now() - t0).toBeLessThan(900);
  });
});

describe('DockerEngine against a broken or absent engine', () => {
  let dir: string;
  let server: http.Server | null = null;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-engine-'));
  });
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = null;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const serve = async (handler: http.RequestListener): Promise<string> => {
    const sock = path.join(dir, `${Math.random().toString(36).slice(2)}.sock`);
    server = http.createServer(handler);
    server.listen(sock);
    await once(server, 'listening');
    return sock;
  };

  it('a missing socket is ENOENT, worded as unreachable by actions and the probe', async () => {
    const sock = path.join(dir, 'nothing.sock');
    const e = await new DockerEngine({ socketPath: sock }).version().catch((err: unknown) => err);
    expect((e as { code?: string }).code).toBe('ENOENT');
    expect(dockerError(e, 'web', 'stop').message).toBe('the Docker engine is unreachable (ENOENT)');
    const probe = new DockerProbe({ socketPath: sock, interval: 1000, statsInterval: 1000, stopTimeout: 1000 }, 1000);
    const r = await probe.read(new AbortController().signal);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('unreachable');
    await probe.close();
  });

  it('an answer that is not JSON is a protocol error with a message, not a crash', async () => {
    const sock = await serve((_req, res) => res.end('<html>hello, I am not dockerd</html>'));
    const e = await new DockerEngine({ socketPath: sock }).listContainers().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DockerApiError);
    expect((e as Error).message).toMatch(/not JSON/);
    const probe = new DockerProbe({ socketPath: sock, interval: 1000, statsInterval: 1000, stopTimeout: 1000 }, 1000);
    const r = await probe.read(new AbortController().signal);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('protocol');
      expect(r.error.message).toMatch(/not JSON/);
    }
    await probe.close();
  });

  it('every request names the API version, whichever client the config builds', async () => {
    const paths: string[] = [];
    const sock = await serve((req, res) => {
      paths.push(req.url ?? '');
      res.end(req.url?.includes('/containers/json') ? '[]' : req.url?.includes('_ping') ? 'OK' : '{}');
    });
    const eng = dockerClient({ socketPath: sock });
    await eng.ping();
    await eng.listContainers({ all: true });
    await eng.container('web').inspect();
    expect(paths).toEqual([
      `/v${ENGINE_API_VERSION}/_ping`,
      `/v${ENGINE_API_VERSION}/containers/json?all=1`,
      `/v${ENGINE_API_VERSION}/containers/web/json`,
    ]);
  });

  it('JSON of the wrong shape is refused', async () => {
    const sock = await serve((_req, res) => res.end('{"containers": 3}'));
    const e = await new DockerEngine({ socketPath: sock }).listContainers().catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/not a list/);
  });

  it('an error status carries the engine message; a plain-text error body is kept as text', async () => {
    const sock = await serve((req, res) => {
      res.statusCode = req.url?.includes('json') ? 409 : 500;
      res.end(req.url?.includes('json') ? '{"message":"container is marked for removal"}' : 'boom\n');
    });
    const eng = new DockerEngine({ socketPath: sock });
    const a = (await eng
      .container('web')
      .inspect()
      .catch((e: unknown) => e)) as DockerApiError;
    expect([a.statusCode, a.json?.message]).toEqual([409, 'container is marked for removal']);
    expect(dockerError(a, 'web', 'inspect').message).toBe(
      'cannot inspect container web: container is marked for removal',
    );
    const b = (await eng
      .container('web')
      .start()
      .catch((e: unknown) => e)) as DockerApiError;
    expect([b.statusCode, b.json?.message]).toEqual([500, 'boom']);
  });

  it('a server that never answers times out (ETIMEDOUT) instead of hanging', async () => {
    const sock = await serve(() => undefined);
    const t0 = performance.now();
    const e = await new DockerEngine({ socketPath: sock }, { timeoutMs: 300 }).version().catch((err: unknown) => err);
    expect((e as { code?: string }).code).toBe('ETIMEDOUT');
    expect(performance.now() - t0).toBeLessThan(3000);
    server!.closeAllConnections();
  });

  it('a stop waits its grace period on top of the timeout, and still times out', async () => {
    const sock = await serve(() => undefined);
    const t0 = performance.now();
    const e = await new DockerEngine({ socketPath: sock }, { timeoutMs: 200 })
      .container('web')
      .stop({ t: 1 })
      .catch((err: unknown) => err);
    const took = performance.now() - t0;
    expect((e as { code?: string }).code).toBe('ETIMEDOUT');
    expect(took).toBeGreaterThanOrEqual(1150);
    expect(took).toBeLessThan(5000);
    server!.closeAllConnections();
  });

  it('a connection cut mid-answer is an error, not a truncated success', async () => {
    const sock = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('[{"Id":', () => res.socket?.destroy()); // cut once the half answer is sent
    });
    const e = await new DockerEngine({ socketPath: sock }).listContainers().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(Array);
  });
});
