// Bytes in, lines out: splits on \n at the byte level (so a multi-byte character cut between two
// reads is never mangled), drops the \r of \r\n, strips terminal escape sequences (a pty or a
// coloured logger would otherwise paint over the console) and caps absurdly long lines.

/** Longest line kept, in bytes; the rest of such a line arrives as further lines. */
export const MAX_LINE_BYTES = 16 * 1024;

// CSI sequences, OSC sequences (ended by BEL or ST), two-byte escapes, and stray C0 controls but tab.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Removes terminal escape sequences and control characters (tabs stay). */
export function stripControl(text: string): string {
  // Fast path: almost every log line is plain text.
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(text) ? text.replace(ANSI, '') : text;
}

/** Splits a byte stream into text lines, holding a partial last line until its newline arrives. */
export class LineSplitter {
  private carry: Buffer | null = null;

  constructor(
    private readonly onLine: (text: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Feeds bytes; `chunk` may be reused by the caller afterwards. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      this.emitRange(buf, start, nl);
      start = nl + 1;
    }
    while (buf.length - start > this.maxLineBytes) {
      this.emitRange(buf, start, start + this.maxLineBytes);
      start += this.maxLineBytes;
    }
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
  }

  /** Bytes held as an unfinished line. */
  get pending(): number {
    return this.carry?.length ?? 0;
  }

  /** Emits the unfinished line, if any (the source ended or was replaced). */
  flush(): void {
    const c = this.carry;
    this.carry = null;
    if (c && c.length > 0) this.emitRange(c, 0, c.length);
  }

  /** Drops the unfinished line without emitting it. */
  reset(): void {
    this.carry = null;
  }

  private emitRange(buf: Buffer, start: number, end: number): void {
    const stop = end > start && buf[end - 1] === 13 ? end - 1 : end;
    for (; stop - start > this.maxLineBytes; start += this.maxLineBytes) {
      this.onLine(stripControl(buf.toString('utf8', start, start + this.maxLineBytes)));
    }
    this.onLine(stripControl(buf.toString('utf8', start, stop)));
  }
}
