// Following a container's log stream through the engine API (`docker logs -f`): stdout and
// stderr demultiplexed for non-TTY containers, one raw stream for TTY ones.
import type { Readable } from 'node:stream';
import { describeDockerError, DockerFrameParser, type DockerEngine } from '../docker/index.js';
import { LineSplitter } from './line-splitter.js';
import type { LogStream, SourceSink } from './types.js';

export interface ContainerFollowOptions {
  /** Lines of history to start with (default 100). */
  tail?: number;
}

/** Follows the logs of container `name` and reports them to `sink` until stop() or the container stops. */
export function followContainer(
  docker: DockerEngine,
  name: string,
  sink: SourceSink,
  opts: ContainerFollowOptions = {},
): LogStream {
  let stream: Readable | null = null;
  let stopped = false;
  let ended: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const ref = docker.container(name);
    const info = await ref.inspect();
    if (stopped) return;
    const s: Readable = await ref.logs({ follow: true, tail: opts.tail ?? 100 });
    if (stopped) {
      s.destroy();
      return;
    }
    stream = s;
    const splitters = {
      stdout: new LineSplitter((l) => out.stdout.push(l)),
      stderr: new LineSplitter((l) => out.stderr.push(l)),
    };
    const out = { stdout: [] as string[], stderr: [] as string[] };
    const flush = (): void => {
      for (const k of ['stdout', 'stderr'] as const) {
        if (out[k].length === 0) continue;
        const lines = out[k];
        out[k] = [];
        sink.lines(lines, k);
      }
    };
    // Flushed per frame, so lines keep the order in which the engine interleaved the two streams.
    const parser = new DockerFrameParser((st, payload) => {
      (st === 'stderr' ? splitters.stderr : splitters.stdout).push(payload);
      flush();
    });
    // A TTY container's stream is raw bytes; only non-TTY streams carry frame headers.
    const tty = info.Config.Tty;
    s.on('data', (chunk: Buffer) => {
      if (tty) splitters.stdout.push(chunk);
      else parser.push(chunk);
      flush();
    });
    ended = new Promise<void>((resolve) => {
      let done = false;
      const finish = (why: string, error: boolean): void => {
        if (done) return;
        done = true;
        splitters.stdout.flush();
        splitters.stderr.flush();
        flush();
        if (!stopped) sink.end(why, error);
        resolve();
      };
      s.once('end', () => finish(`container ${name} stopped; its log stream ended`, false));
      s.once('error', (err) => finish(`log stream of ${name} failed: ${err.message}`, true));
      s.once('close', () => finish(`log stream of ${name} closed`, false));
    });
  };

  const started = start().catch((err: unknown) => {
    if (!stopped) sink.end(describeDockerError(err, name, 'follow the logs of').message, true);
  });

  return {
    stop: async () => {
      stopped = true;
      await started;
      stream?.destroy();
      await ended;
    },
  };
}
