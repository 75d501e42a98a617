// Drawing frames on the alternate screen by changed lines only. Ink (in its `debug` mode) hands
// us each whole frame as one string; we keep the last frame drawn and rewrite just the lines that
// differ, each at its absolute row, inside one synchronized update. Frames arriving faster than
// `minIntervalMs` are coalesced: only the newest is drawn. There is never a full-screen clear
// on a frame (only after a resize or an explicit redraw).
//
// Why not Ink's own renderer: below the full height it erases and rewrites every line on each
// frame (and its incremental mode is off by one line there), and at full height it clears the
// whole terminal on every frame.
import { Writable } from 'node:stream';
import { mark } from '../util/trace.js';

const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';
const CLEAR = '\x1b[H\x1b[2J';

export interface FrameStats {
  /** Frames handed to us by Ink. */
  received: number;
  /** Frames actually drawn (after coalescing and skipping unchanged ones). */
  drawn: number;
  /** Lines rewritten over all drawn frames. */
  linesWritten: number;
  bytesWritten: number;
  /** Full clears (resize, redraw). */
  clears: number;
}

export interface FrameWriterOptions {
  minIntervalMs?: number;
  /** Called after each drawn frame (the bench measures key → frame with it). */
  onDraw?: (frame: string) => void;
}

/** A Writable that Ink renders into and that draws on `out` by line diff. */
export class FrameWriter extends Writable {
  readonly isTTY = true;
  readonly stats: FrameStats = { received: 0, drawn: 0, linesWritten: 0, bytesWritten: 0, clears: 0 };
  private drawnLines: string[] = [];
  private pending: string | null = null;
  private lastFrame = '';
  private timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private lastDrawAt = 0;
  private needsClear = false;
  private corner = '';
  private cornerDrawn = '';
  private readonly minInterval: number;
  private readonly forwardResize = () => {
    this.invalidate();
    this.emit('resize');
  };

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly opts: FrameWriterOptions = {},
  ) {
    super({ decodeStrings: false });
    this.minInterval = opts.minIntervalMs ?? 33;
    out.on('resize', this.forwardResize);
  }

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    const frame = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (frame !== '') {
      this.stats.received++;
      this.pending = frame;
      // The first frame goes out at once: nothing to coalesce with yet, and the operator is
      // waiting for it (React's effects and the probe modules' loading would otherwise run first).
      if (this.drawnLines.length === 0 && this.lastFrame === '') this.draw();
      else this.schedule();
    }
    callback();
  }

  /**
   * Text drawn at the right end of the first line, outside the frames: the header clock. It
   * ticks every second, and drawing it here costs a few bytes instead of a whole Ink render.
   */
  setCorner(text: string): void {
    this.corner = text;
    if (this.corner === this.cornerDrawn || this.drawnLines.length === 0) return;
    this.write1(`${BSU}${this.cornerText()}${ESU}`);
  }

  private cornerText(): string {
    this.cornerDrawn = this.corner;
    if (this.corner === '') return '';
    const col = Math.max(1, this.columns - this.corner.length + 1);
    return `\x1b[1;${col}H\x1b[0m${this.corner}`;
  }

  private write1(text: string): void {
    this.stats.bytesWritten += Buffer.byteLength(text);
    try {
      if (!this.out.destroyed && this.out.writable) this.out.write(text);
    } catch {
      // The terminal went away; the exit watcher handles that.
    }
  }

  /** Forgets what is on screen: the next frame clears and draws every line (after a resize or Ctrl-L). */
  invalidate(): void {
    this.needsClear = true;
    this.drawnLines = [];
    if (this.pending === null && this.lastFrame !== '') this.pending = this.lastFrame;
    this.schedule();
  }

  /** Nothing waits to be drawn (tests wait for this instead of sleeping). */
  get idle(): boolean {
    return this.timer === null && this.pending === null;
  }

  /** Draws the pending frame now (used on exit so the last state is not lost). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    this.draw();
  }

  /** Stops following resizes of the real terminal. */
  detach(): void {
    this.out.off('resize', this.forwardResize);
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.pending === null) return;
    const wait = this.lastDrawAt + this.minInterval - Date.now();
    // Idle: draw as soon as the current burst of synchronous updates is over.
    this.timer =
      wait <= 0
        ? setImmediate(() => {
            this.timer = null;
            this.draw();
          })
        : setTimeout(() => {
            this.timer = null;
            this.draw();
          }, wait);
  }

  private draw(): void {
    const frame = this.pending;
    this.pending = null;
    if (frame === null) return;
    this.lastFrame = frame;
    if (this.stats.drawn === 0) mark('first-frame');
    const lines = frame.split('\n');
    let body = '';
    let changed = 0;
    if (this.needsClear) {
      body += CLEAR;
      this.stats.clears++;
      this.needsClear = false;
    }
    const count = Math.max(lines.length, this.drawnLines.length);
    let firstLine = false;
    for (let i = 0; i < count; i++) {
      const next = lines[i] ?? '';
      if (next === this.drawnLines[i]) continue;
      // Erase first, then write: never an erase after the last column (it would eat that cell).
      body += `\x1b[${i + 1};1H\x1b[2K${next}`;
      changed++;
      if (i === 0) firstLine = true;
    }
    if (firstLine && this.corner !== '') body += this.cornerText();
    this.drawnLines = count === lines.length ? lines : Array.from({ length: count }, (_, i) => lines[i] ?? '');
    this.lastDrawAt = Date.now();
    if (body === '') return;
    this.stats.drawn++;
    this.stats.linesWritten += changed;
    this.write1(`${BSU}${body}\x1b[0m${ESU}`);
    this.opts.onDraw?.(frame);
  }
}
