// The one SCAN loop behind every Redis key read and clean-up: always SCAN with COUNT (never KEYS),
// bounded in keys and wall time, yielding to the event loop between batches, cancellable. Key
// names are Buffers end to end, so names with newlines, spaces, glob characters or bytes that are
// not UTF-8 are handled as data.
import type { Redis } from 'ioredis';

export interface ScanBounds {
  /** SCAN COUNT hint per call (default 200: each call touches a few hundred slots, well under 1 ms). */
  count?: number;
  /** Stop after this many keys have been returned (default unlimited). */
  maxKeys?: number;
  /** Stop after this much wall time, in ms (default unlimited). */
  maxMs?: number;
  signal?: AbortSignal;
}

/** Why a scan stopped: it went round the whole keyspace, or hit a bound. */
export type ScanEnd = 'complete' | 'max-keys' | 'time';

export interface ScanTally {
  /** Keys SCAN returned (a key may rarely be returned twice during a rehash). */
  scanned: number;
  calls: number;
  end: ScanEnd;
}

/** Thrown when the signal aborts a scan between two batches. */
export class ScanCancelled extends Error {
  constructor() {
    super('cancelled by the operator');
    this.name = 'ScanCancelled';
  }
}

/** Escapes glob characters so a literal key prefix can be used in MATCH (`a*b` → `a\*b`). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * SCANs `pattern` in batches and hands each batch to `onBatch` (awaited, so the caller's own
 * per-batch commands also run one batch at a time). Resolves with how it ended.
 */
export async function scanBatches(
  client: Pick<Redis, 'scanBuffer'>,
  pattern: string,
  bounds: ScanBounds,
  onBatch: (keys: Buffer[]) => Promise<void> | void,
): Promise<ScanTally> {
  const count = bounds.count ?? 200;
  const started = Date.now();
  let cursor = '0';
  const tally: ScanTally = { scanned: 0, calls: 0, end: 'complete' };
  do {
    if (bounds.signal?.aborted) throw new ScanCancelled();
    if (bounds.maxMs !== undefined && Date.now() - started >= bounds.maxMs) {
      tally.end = 'time';
      return tally;
    }
    const [next, found] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', count);
    tally.calls++;
    cursor = next.toString();
    let keys = found;
    if (bounds.maxKeys !== undefined && tally.scanned + keys.length > bounds.maxKeys)
      keys = keys.slice(0, bounds.maxKeys - tally.scanned);
    tally.scanned += keys.length;
    if (keys.length > 0) await onBatch(keys);
    if (bounds.maxKeys !== undefined && tally.scanned >= bounds.maxKeys && cursor !== '0') {
      tally.end = 'max-keys';
      return tally;
    }
    // Let timers, the UI and cancellation in between two batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== '0');
  return tally;
}

/** A key name for display: printable as is, otherwise JSON-quoted with escapes. */
export function showKey(key: Buffer): string {
  const s = key.toString('utf8');
  const printable = Buffer.from(s, 'utf8').equals(key) && /^[\x21-\x7e\u00a0-\uffff]+$/.test(s);
  return printable ? s : JSON.stringify(s);
}
