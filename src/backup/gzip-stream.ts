// The write path of a compressed backup: source → zlib gzip (in-process; measured faster than a
// `gzip` child here, see bench/backup-wall.ts) → file, with the sha256 of exactly the bytes
// written. The same compressed bytes are also inflated again on the fly: that proves the stream
// decompresses (gzip checks its CRC-32 and length) and yields the uncompressed tail for the
// pg_dump completion marker, without a second pass over the file after the dump.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, createGzip } from 'node:zlib';

export interface GzipOutcome {
  /** Uncompressed bytes read from the source. */
  bytesIn: number;
  /** Compressed bytes written to the file. */
  bytesWritten: number;
  sha256: string;
  /** Bytes the re-inflated stream produced (must equal bytesIn). */
  inflated: number;
  /** Why the written bytes did not decompress, if they did not. */
  gzipError?: string;
  /** Last bytes of the uncompressed stream (for completion markers). */
  tail: Buffer;
}

const TAIL = 1024;
const BATCH = 256 * 1024;

/**
 * Streams `source` gzip-compressed into `out` (not closed); rejects when reading, compressing or
 * writing fails. `inspect` sees every uncompressed byte once, in order, before it is compressed
 * (plain dumps count their rows there).
 */
export async function streamGzip(
  source: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  out: FileHandle,
  signal: AbortSignal,
  onBytes: (bytesIn: number, bytesWritten: number) => void,
  inspect?: (uncompressed: Buffer) => void,
): Promise<GzipOutcome> {
  let bytesIn = 0;
  let bytesWritten = 0;
  let inflated = 0;
  let tail: Buffer = Buffer.alloc(0);
  let gzipError: string | undefined;
  const hash = createHash('sha256');

  // Large output chunks: with the default 16 KiB, inflating costs several times more CPU (measured).
  const verifier = createGunzip({ chunkSize: 256 * 1024 });
  verifier.on('data', (b: Buffer) => {
    inflated += b.length;
    tail = b.length >= TAIL ? b.subarray(b.length - TAIL) : Buffer.concat([tail, b]).subarray(-TAIL);
  });
  const verified = new Promise<void>((resolve) => {
    verifier.once('end', resolve);
    verifier.once('error', (e) => {
      gzipError = e.message;
      resolve();
    });
  });

  // pg_dump writes 8 KiB at a time; handing zlib 256 KiB batches instead cuts the per-chunk
  // overhead (thread-pool round trips, stream callbacks) that otherwise costs more than gzip's CPU.
  let batch: Buffer[] = [];
  let batched = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytesIn += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
      if (batched < BATCH) return cb();
      const out = Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      try {
        inspect?.(out);
      } catch (err) {
        return cb(err as Error);
      }
      cb(null, out);
    },
    flush(cb) {
      const out = batched > 0 ? Buffer.concat(batch, batched) : undefined;
      try {
        if (out) inspect?.(out);
      } catch (err) {
        return cb(err as Error);
      }
      cb(null, out);
    },
  });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytesWritten += chunk.length;
      onBytes(bytesIn, bytesWritten);
      // Respect the verifier's backpressure so a slow inflate cannot buffer the whole dump in memory.
      if (gzipError !== undefined || verifier.write(chunk)) cb(null, chunk);
      else verifier.once('drain', () => cb(null, chunk));
    },
    flush(cb) {
      verifier.end();
      cb();
    },
  });
  const gzip = createGzip({ level: constants.Z_DEFAULT_COMPRESSION, chunkSize: 64 * 1024 });
  const sink = handleSink(out);
  try {
    await pipeline(source, counter, gzip, tap, sink, { signal });
  } catch (err) {
    verifier.destroy();
    throw err;
  }
  await verified;
  return {
    bytesIn,
    bytesWritten,
    sha256: hash.digest('hex'),
    inflated,
    ...(gzipError !== undefined ? { gzipError } : {}),
    tail,
  };
}

/**
 * A Writable over a FileHandle that leaves the handle open for fsync (FileHandle.createWriteStream
 * with autoClose: false keeps a reference that makes a later close() hang, in Node 20).
 */
export function handleSink(handle: FileHandle): Writable {
  return new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, cb) {
      handle.write(chunk).then(() => cb(), cb);
    },
    writev(chunks, cb) {
      handle.writev(chunks.map((c) => c.chunk as Buffer)).then(() => cb(), cb);
    },
  });
}
