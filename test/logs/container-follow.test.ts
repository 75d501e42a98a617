// A container's log stream through the engine API: stdout and stderr demultiplexed for a normal
// container, raw for a TTY one; the end of the container ends the stream.
import Docker from 'dockerode';
import { DockerEngine } from '../../src/docker/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followContainer } from '../../src/logs/container-follow.js';
import { openLogTail } from '../../src/logs/tail.js';
import type { SourceSink } from '../../src/logs/types.js';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { holdsFor, waitFor } from '../helpers/wait.js';

function collector() {
  const lines: { text: string; stream?: string }[] = [];
  const ends: string[] = [];
  const sink: SourceSink = {
    lines: (ls, stream) => lines.push(...ls.map((text) => (stream ? { text, stream } : { text }))),
    status: () => undefined,
    end: (r) => ends.push(r),
  };
  const until = (pred: () => boolean, what: string): Promise<unknown> =>
    waitFor(pred, {
      timeoutMs: 20_000,
      intervalMs: 50,
      what,
      lastSeen: () => `${JSON.stringify(lines)} ${ends.join(' | ')}`,
    });
  return { lines, ends, sink, until };
}

describe.skipIf(unavailable('docker'))('followContainer', () => {
  let docker: Docker; // an independent client
  let engine: DockerEngine;
  let image: string;
  const created: string[] = [];
  beforeAll(() => {
    const svc = dockerService();
    docker = new Docker({ socketPath: svc.socketPath });
    engine = new DockerEngine({ socketPath: svc.socketPath });
    image = svc.image;
  });
  afterAll(async () => {
    for (const n of created)
      await docker
        ?.getContainer(n)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('demultiplexes stdout and stderr and reports the end when the container exits', async () => {
    const name = uniqueName('opsdeck_logs');
    created.push(name);
    await runSandboxContainer(engine, image, {
      name,
      cmd: ['sh', '-c', 'echo "out 1"; echo "ERROR err 1" >&2; sleep 1; echo "out 2"; echo "WARN err 2" >&2; sleep 1'],
    });
    const c = collector();
    const s = followContainer(engine, name, c.sink, { tail: 100 });
    await c.until(() => c.ends.length > 0, 'the container to exit');
    await s.stop();
    // The engine keeps two pipes: order within a stream is guaranteed, across streams it is not.
    expect(c.lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['out 1', 'out 2']);
    expect(c.lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['ERROR err 1', 'WARN err 2']);
    expect(c.lines).toHaveLength(4);
    expect(c.ends[0]).toMatch(/stopped|ended/);
  });

  it('reads a TTY container raw (no frame headers) and stops on request', async () => {
    const name = uniqueName('opsdeck_tty');
    created.push(name);
    const ctr = await docker.createContainer({
      name,
      Image: image,
      Tty: true,
      Cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'],
      HostConfig: { NetworkMode: 'none' },
    });
    await ctr.start();
    const c = collector();
    const s = followContainer(engine, name, c.sink, { tail: 0 });
    await c.until(() => c.lines.length >= 3, 'three ticks');
    await s.stop();
    const n = c.lines.length;
    expect(c.lines[0]!.text).toMatch(/^tick \d+$/);
    // The container prints a tick every 100 ms: 400 ms is four of them, and nothing arrives.
    await holdsFor(400, () => c.lines.length === n && c.ends.length === 0, 'nothing after stop');
  });

  it('says in words when the container does not exist', async () => {
    const c = collector();
    const s = followContainer(engine, 'opsdeck-no-such-container', c.sink);
    await c.until(() => c.ends.length > 0, 'the error');
    await s.stop();
    expect(c.ends[0]).toBe('no container named opsdeck-no-such-container on this engine');
  });

  it('feeds the tail pipeline: buffer, classification and error rate', async () => {
    const name = uniqueName('opsdeck_pipe');
    created.push(name);
    await runSandboxContainer(engine, image, {
      name,
      cmd: ['sh', '-c', 'for i in 1 2 3; do echo "ERROR boom $i"; echo "fine $i"; done; sleep 30'],
    });
    const tail = openLogTail({
      source: { name: 'pipe', container: name },
      docker: engine,
      bufferLines: 100,
      frameMs: 20,
    });
    try {
      await waitFor(() => tail.buffer.size >= 6, {
        timeoutMs: 20_000,
        intervalMs: 50,
        what: 'six lines in the buffer',
        lastSeen: () => `${tail.buffer.size} lines; ${tail.lastStatus}`,
      });
      expect(tail.view(10).lines.map((l) => `${l.level}:${l.text}`)).toEqual([
        'error:ERROR boom 1',
        'info:fine 1',
        'error:ERROR boom 2',
        'info:fine 2',
        'error:ERROR boom 3',
        'info:fine 3',
      ]);
      expect(tail.stats().errorsPerMinute).toBe(3);
      tail.setFilter('/boom [23]/');
      expect(tail.view(10).lines.map((l) => [l.text, l.ranges])).toEqual([
        ['ERROR boom 2', [[6, 12]]],
        ['ERROR boom 3', [[6, 12]]],
      ]);
    } finally {
      await tail.stop();
    }
  });
});
