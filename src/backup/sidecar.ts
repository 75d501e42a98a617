// The sidecar `<backup>.json`: what the backup is, where it came from, its checksum and, for
// PostgreSQL, the row count of every table at dump time (the restore checks against these). The
// catalog is built from sidecars, so a backup without one is never listed as good.
import { readFile } from 'node:fs/promises';
import * as z from '../util/zod.js';
import { removeQuietly, writeFileAtomic } from './atomic.js';
import { sidecarPath } from './naming.js';
import type { VerifyResult } from './types.js';

const checkSchema = z.object({
  name: z.enum(['sha256', 'size', 'gzip', 'marker', 'pg_restore', 'tar']),
  ok: z.boolean(),
  detail: z.string(),
});

const verifySchema = z.object({ ok: z.boolean(), at: z.string(), checks: z.array(checkSchema), message: z.string() });

const sourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('postgres'),
    name: z.string(),
    host: z.optional(z.string()),
    port: z.optional(z.number()),
    user: z.optional(z.string()),
  }),
  z.object({ type: z.literal('files'), name: z.string(), paths: z._default(z.array(z.string()), []) }),
]);

// Lenient on unknown keys (z.object, not strictObject): a newer opsdeck may add fields and an
// older one must still list the backup.
export const sidecarSchema = z.object({
  version: z.literal(1),
  /** Base name of the backup file this describes. */
  file: z.string(),
  kind: z.enum(['full', 'data', 'files']),
  format: z.enum(['plain', 'custom', 'tar']),
  source: sourceSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Size of the backup file in bytes. */
  size: z.number(),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** Bytes before compression (plain dump text, or file contents for tar). */
  uncompressedSize: z.optional(z.number()),
  /** e.g. "pg_dump (PostgreSQL) 15.20", "node-tar 7.5.23 + zlib 1.3". */
  tool: z.string(),
  serverVersion: z.optional(z.string()),
  /** pg_database_size at dump time (preflight estimates the next backup from size / databaseSize). */
  databaseSize: z.optional(z.number()),
  /** Table (schema-qualified, quoted as needed) → its exact row count at dump time (how: rowCountMethod). */
  rowCounts: z.optional(z.record(z.string(), z.number())),
  /**
   * How the counts relate to the dump: `dump-stream` — rows of each table's COPY block counted in
   * the plain dump as it was written, with count(*) in pg_dump's snapshot for a table the stream
   * did not account for; `exported-snapshot` — count(*) in pg_dump's own snapshot (every custom
   * backup); `separate-transaction` — (some) count(*) in a separate transaction just before the
   * dump. `dump-copy-tag` — the server's "COPY n" tags read by a library earlier versions preloaded
   * into pg_dump — is no longer written, but their sidecars must still read.
   */
  rowCountMethod: z.optional(z.enum(['dump-stream', 'dump-copy-tag', 'exported-snapshot', 'separate-transaction'])),
  /** Number of archive entries (tar). */
  entries: z.optional(z.number()),
  /** The machine that made it. */
  host: z.string(),
  /** Verification right after writing (a backup is only published when this passed). */
  verify: verifySchema,
  /** The most recent verification (same as `verify` until re-verified). */
  lastVerify: verifySchema,
});

export type Sidecar = z.output<typeof sidecarSchema>;
export type RowCountMethod = NonNullable<Sidecar['rowCountMethod']>;

/** Reads and validates the sidecar of `file`; throws with a one-line reason. */
export async function readSidecar(file: string): Promise<Sidecar> {
  const p = sidecarPath(file);
  const text = await readFile(p, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${p}: not valid JSON`);
  }
  const parsed = sidecarSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${p}: not an opsdeck backup sidecar (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
    );
  }
  return parsed.data;
}

/** Writes the sidecar of `file` atomically. */
export async function writeSidecar(file: string, meta: Sidecar): Promise<void> {
  await writeFileAtomic(sidecarPath(file), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Records a re-verification in the sidecar of `file`. */
export async function recordVerify(file: string, result: VerifyResult): Promise<Sidecar> {
  const meta = await readSidecar(file);
  const next: Sidecar = { ...meta, lastVerify: result };
  await writeSidecar(file, next);
  return next;
}

/** Writes the sidecar of a just-published backup; if that fails the backup file is removed, so a
 *  file without its sidecar never stays under the final name looking good. */
export async function writeSidecarOrRetract(file: string, meta: Sidecar): Promise<void> {
  try {
    await writeSidecar(file, meta);
  } catch (err) {
    await removeQuietly(file);
    throw err;
  }
}
