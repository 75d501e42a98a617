// Docker's multiplexed log stream (containers without a TTY): frames of an 8-byte header —
// stream type (1 stdout, 2 stderr), three zero bytes, payload size as big-endian uint32 — then
// the payload. Frames may be split across chunks and several may share one chunk.

export type DockerStream = 'stdin' | 'stdout' | 'stderr';

const STREAMS: Record<number, DockerStream> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };

/** Reassembles frames from arbitrary chunks. */
export class DockerFrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: DockerStream, payload: Buffer) => void) {}

  /** Feeds one chunk of the raw stream. */
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    while (this.buf.length - off >= 8) {
      const type = this.buf[off]!;
      const size = this.buf.readUInt32BE(off + 4);
      if (this.buf.length - off - 8 < size) break;
      this.onFrame(STREAMS[type] ?? 'stdout', this.buf.subarray(off + 8, off + 8 + size));
      off += 8 + size;
    }
    // Copy the remainder: `chunk` may be a pooled buffer its owner reuses.
    this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
  }
}

/** Splits a whole multiplexed buffer (a finished container's logs) into stdout and stderr text. */
export function demuxDockerStream(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  new DockerFrameParser((stream, payload) => (stream === 'stderr' ? err : out).push(payload)).push(buf);
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
