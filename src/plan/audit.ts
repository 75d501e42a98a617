// The audit trail: one JSON line per action event, appended to a 0600 file. Every string is
// scrubbed of anything that looks like a secret before it reaches the disk, because the trail is
// read by more people (and kept longer) than the credentials it might otherwise leak.
import { mkdir, open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type AuditEventName = 'confirmed' | 'refused' | 'cancelled' | 'succeeded' | 'failed' | 'armed' | 'disarmed';

/** Who acted: the OS user, the sudo caller, and the SSH client when over SSH. */
export interface Operator {
  user: string;
  sudoUser?: string;
  /** `ip:port` of the SSH client, from SSH_CONNECTION. */
  origin?: string;
}

export interface AuditEntry {
  time: string;
  event: AuditEventName;
  operator: Operator;
  host: string;
  action: string;
  target: string;
  steps?: string[];
  result?: string;
  durationMs?: number;
  error?: string;
  reason?: string;
  /** For 'armed': when actions go back to read-only (ISO time). */
  until?: string;
}

export type AuditInput = Omit<AuditEntry, 'time' | 'operator' | 'host'>;

/** Where action events go; the file log below, or an in-memory one in tests. */
export interface AuditSink {
  record(entry: AuditInput): Promise<void>;
}

export interface AuditLogOptions {
  path: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Known secret values (configured passwords) to blank out wherever they appear. */
  secrets?: readonly string[];
}

/** Who is at the keyboard, from the OS user, SUDO_USER and SSH_CONNECTION. */
export function currentOperator(env: NodeJS.ProcessEnv = process.env): Operator {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = env.USER ?? env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  const op: Operator = { user };
  if (env.SUDO_USER && env.SUDO_USER !== user) op.sudoUser = env.SUDO_USER;
  const [ip, port] = (env.SSH_CONNECTION ?? '').trim().split(/\s+/);
  if (ip) op.origin = ip.includes(':') ? `[${ip}]:${port ?? ''}` : `${ip}:${port ?? ''}`;
  return op;
}

// The words that make an environment variable's value a secret: DB_PASSWORD=…, API_KEY=…
const SECRET_NAME_WORDS = 'PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH';

// Order matters: URL credentials before the generic key=value rule would see `user:pass@`.
const SCRUB_RULES: [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi, '$1$2:***@'],
  [new RegExp(`\\b([A-Za-z0-9_]*(?:${SECRET_NAME_WORDS})[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\\s,;&]+)`, 'gi'), '$1=***'],
  [
    /("?\b(?:password|passwd|secret|token|api[_-]?key|requirepass|masterauth)"?\s*:\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi,
    '$1***',
  ],
  [/(--(?:password|pass|passwd|requirepass|masterauth|token|secret|auth)(?:\s+|=))(\S+)/gi, '$1***'],
  [/(\bredis-cli\b.*?\s-a\s+)(\S+)/g, '$1***'],
  [/\b(AUTH)\s+(\S+)(\s+\S+)?/g, '$1 ***'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
];

/** Replaces anything that looks like a password, URL credential or token (and any known secret) with ***. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Known values first and longest first, so a password that contains another is fully covered.
  for (const s of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length))
    out = out.split(s).join('***');
  for (const [re, rep] of SCRUB_RULES) out = out.replace(re, rep);
  return out;
}

function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  }
  return value;
}

/** The append-only JSON-lines audit file. */
export class AuditLog implements AuditSink {
  readonly path: string;
  private readonly operator: Operator;
  private readonly host = os.hostname();
  private readonly now: () => number;
  private readonly secrets: readonly string[];
  // One write at a time, so lines from this process land in the order they were recorded.
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: AuditLogOptions) {
    this.path = opts.path;
    this.operator = currentOperator(opts.env);
    this.now = opts.now ?? Date.now;
    this.secrets = opts.secrets ?? [];
  }

  /** Appends one scrubbed JSON line; rejects when the file cannot be written. */
  record(entry: AuditInput): Promise<void> {
    const full: AuditEntry = {
      time: new Date(this.now()).toISOString(),
      ...entry,
      operator: this.operator,
      host: this.host,
    };
    const line = `${JSON.stringify(scrubDeep(full, this.secrets))}\n`;
    const write = this.queue.then(() => appendLine(this.path, line));
    this.queue = write.catch(() => undefined);
    return write;
  }
}

/** mkdir -p, one level at a time: Node's recursive mkdir never returns for some paths (e.g. under /proc). */
async function mkdirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      await stat(d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || d === path.dirname(d)) throw err;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function appendLine(file: string, line: string): Promise<void> {
  await mkdirs(path.dirname(file));
  // O_APPEND with one write per line: concurrent opsdeck processes never interleave inside a line.
  const fh = await open(file, 'a', 0o600);
  try {
    const st = await fh.stat();
    if ((st.mode & 0o077) !== 0) await fh.chmod(0o600).catch(() => undefined);
    await fh.write(line);
  } finally {
    await fh.close();
  }
}

/**
 * The last `limit` entries of the audit file, oldest first; [] when there is no file yet. Unparsable
 * lines are skipped.
 */
export async function readAudit(file: string, limit = 50): Promise<AuditEntry[]> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    const chunk = 64 * 1024;
    let pos = size;
    let buf = Buffer.alloc(0);
    // Read backwards until the tail holds enough lines; the file may be large and old.
    while (pos > 0 && count(buf, 0x0a) <= limit) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const part = Buffer.alloc(len);
      await fh.read(part, 0, len, pos);
      buf = Buffer.concat([part, buf]);
    }
    const lines = buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (pos > 0) lines.shift(); // the first line may be cut
    const out: AuditEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      try {
        out.push(JSON.parse(lines[i]!) as AuditEntry);
      } catch {
        // a torn or foreign line: skip it rather than hide the rest of the trail
      }
    }
    out.reverse();
    return out;
  } finally {
    await fh.close();
  }
}

function count(buf: Buffer, byte: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}
