// The drill log: one JSON line per restore drill (the manual's monthly restore test and DR drill),
// kept beside the backups as `<backups.dir>/drills.jsonl` — the console, cron and the catalog all
// read the backup directory already, and a drill's result belongs with the backups it proves.
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from '../util/zod.js';

export const DRILL_LOG = 'drills.jsonl';

const recordSchema = z.object({
  version: z.literal(1),
  /** When the drill started (ISO). */
  at: z.string(),
  /** Source key of the backup (the database name), as the catalog keys sources. */
  source: z.string(),
  /** Full path of the backup drilled. */
  backup: z.string(),
  scratch: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  /** Time spent loading the dump, and verifying it. */
  loadMs: z.optional(z.number()),
  verifyMs: z.optional(z.number()),
  /** Size of the backup file. */
  bytes: z.optional(z.number()),
  tables: z.optional(z.number()),
  mismatches: z.optional(z.number()),
  /** One line: the verification message, or why it failed. */
  message: z.string(),
  /** Whether the scratch database is gone again (false means it must be dropped by hand). */
  dropped: z.boolean(),
  host: z.string(),
});

export type DrillRecord = z.output<typeof recordSchema>;

/** The drill log of a backup root. */
export function drillLogPath(backupRoot: string): string {
  return path.join(backupRoot, DRILL_LOG);
}

/** Appends one record (one write, O_APPEND: concurrent drills never interleave inside a line). */
export async function appendDrill(file: string, record: DrillRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a', 0o600);
  try {
    await fh.write(`${JSON.stringify(record)}\n`);
  } finally {
    await fh.close();
  }
}

/** Every readable record, oldest first; [] without a log. Torn or foreign lines are skipped. */
export async function readDrills(file: string): Promise<DrillRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: DrillRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = recordSchema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // a torn line from a crash: skip it rather than hide every other drill
    }
  }
  return out;
}

/** Per source: the newest drill and the newest successful one. */
export interface DrillSummary {
  source: string;
  last: DrillRecord;
  lastOk?: DrillRecord;
}

/** The newest drill and newest successful drill of every source in `records`. Pure. */
export function summarizeDrills(records: readonly DrillRecord[]): Map<string, DrillSummary> {
  const out = new Map<string, DrillSummary>();
  for (const r of records) {
    const t = Date.parse(r.at);
    const cur = out.get(r.source);
    if (!cur) {
      out.set(r.source, { source: r.source, last: r, ...(r.ok ? { lastOk: r } : {}) });
      continue;
    }
    if (t >= Date.parse(cur.last.at)) cur.last = r;
    if (r.ok && (!cur.lastOk || t >= Date.parse(cur.lastOk.at))) cur.lastOk = r;
  }
  return out;
}

/** The drill summary of a backup root (what the catalog and the Backups view show per source). */
export async function drillSummaries(backupRoot: string): Promise<Map<string, DrillSummary>> {
  return summarizeDrills(await readDrills(drillLogPath(backupRoot)));
}

/**
 * Days since the last successful drill of `source` (Infinity when it never passed), for a threshold like backup
 * age.
 */
export function daysSinceDrill(s: DrillSummary | undefined, now: number): number {
  return s?.lastOk ? (now - Date.parse(s.lastOk.at)) / 86_400_000 : Number.POSITIVE_INFINITY;
}
