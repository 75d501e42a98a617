// One log tail = one source + the pipeline the Logs view reads: lines are classified and counted
// as they arrive, batched into frames (so a flood costs one render per frame), and kept in a
// bounded buffer that the view filters. One tail per pane; stop() ends the source and its child.
import type { DockerEngine } from '../docker/index.js';
import type { LogSourceConfig } from '../config/schema.js';
import { AccessAggregator, looksLikeAccessLog, nextWindow, type AccessWindow } from './access.js';
import { FrameBatcher } from './batcher.js';
import { LineBuffer, type View } from './buffer.js';
import { classify, type LogLevel } from './classify.js';
import { followContainer } from './container-follow.js';
import { followFile, type FileFollowOptions } from './file-follow.js';
import { followJournal, type JournalFollowOptions } from './journal-follow.js';
import { parseFilter, type FilterParse, type LogFilter } from './filter.js';
import { followCommand } from './pty-follow.js';
import { RateCounter } from './rate.js';
import type { LogLine, LogStream, SourceSink } from './types.js';

export interface LogTailOptions {
  source: LogSourceConfig;
  /** Lines kept (config logs.bufferLines; default 10,000). */
  bufferLines?: number;
  /** Minimum time between two frames (default 75 ms). */
  frameMs?: number;
  /** Needed for container sources. */
  docker?: DockerEngine | null;
  /** Called once per frame with what changed; read view() for the lines. */
  onFrame?: (frame: TailFrame) => void;
  file?: FileFollowOptions;
  journal?: JournalFollowOptions;
  /** Lines of history for container sources (default 100). */
  containerTail?: number;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export interface TailFrame {
  /** Lines added in this frame. */
  added: number;
  /** Status messages since the last frame ("rotated", "waiting for file"). */
  status: string[];
  /** Set once the source has ended for good. */
  ended?: { reason: string; error: boolean };
}

export interface TailStats {
  received: number;
  errors: number;
  warnings: number;
  errorsPerMinute: number;
  errorsLastHour: number;
  /** Lines that fell out of the buffer (or never made it into a frame) because the buffer is bounded. */
  dropped: number;
}

/** A running tail of one log source. */
export class LogTail {
  readonly buffer: LineBuffer;
  readonly name: string;
  private readonly perMinute = new RateCounter(60_000, 1000);
  private readonly perHour = new RateCounter(3_600_000, 60_000);
  private readonly batcher: FrameBatcher<LogLine>;
  private readonly now: () => number;
  private seq = 0;
  private warnings = 0;
  private stream: LogStream | null = null;
  private filterValue: LogFilter | null = null;
  private statusQueue: string[] = [];
  private endedInfo: { reason: string; error: boolean } | undefined;
  /** The latest status message, for the view's header. */
  lastStatus = '';
  /** Access-log counts, for a source marked `access` or whose first lines look like one. */
  access: AccessAggregator | null = null;
  /** The access panel's window. */
  accessWindow: AccessWindow = '5m';
  /** First lines of an unmarked source, kept until they tell whether it is an access log. */
  private sniff: string[] | null = null;

  constructor(private readonly opts: LogTailOptions) {
    this.name = opts.source.name;
    this.now = opts.now ?? Date.now;
    this.buffer = new LineBuffer(opts.bufferLines ?? 10_000);
    this.batcher = new FrameBatcher<LogLine>((items) => this.onBatch(items), {
      intervalMs: opts.frameMs ?? 75,
      maxItems: this.buffer.capacity,
    });
    const a = opts.source.access;
    if (a !== undefined) {
      const o = typeof a === 'string' ? { format: a } : a;
      this.access = new AccessAggregator({
        format: o.format,
        ...('timeField' in o && o.timeField !== undefined ? { timeField: o.timeField } : {}),
        ...('timeUnit' in o && o.timeUnit !== undefined ? { timeUnit: o.timeUnit } : {}),
        now: this.now,
      });
    } else this.sniff = [];
  }

  /** Bytes of an access log's end read on open, so the windows start filled (bounded). */
  private historyBytes(): number {
    const a = this.opts.source.access;
    return (typeof a === 'object' ? a.historyBytes : undefined) ?? 32 * 1024 * 1024;
  }

  /** Switches the access panel to the next window (5m → 15m → 1h → 24h). */
  cycleAccessWindow(): AccessWindow {
    this.accessWindow = nextWindow(this.accessWindow);
    return this.accessWindow;
  }

  /** Starts the source (once). */
  start(): this {
    if (this.stream) return this;
    const sink: SourceSink = {
      lines: (texts, stream, levels) => this.ingest(texts, stream, levels),
      status: (text) => this.note(text),
      end: (reason, error) => {
        this.endedInfo = { reason, error: error === true };
        this.note(reason);
      },
    };
    const s = this.opts.source;
    const none: LogStream = { stop: async () => undefined };
    try {
      if (s.file !== undefined) {
        // An access log's windows are filled from the file's end: every line of its last bytes.
        const history = this.access ? { initialLines: Number.MAX_SAFE_INTEGER, backlogBytes: this.historyBytes() } : {};
        this.stream = followFile(s.file, sink, { ...this.opts.file, ...history });
      } else if (s.command !== undefined)
        this.stream = followCommand(s.command, sink, this.opts.env ? { env: this.opts.env } : {});
      else if (s.journal !== undefined)
        this.stream = followJournal(s.journal, sink, {
          ...(this.opts.env ? { env: this.opts.env } : {}),
          ...this.opts.journal,
        });
      else if (s.container !== undefined && this.opts.docker)
        this.stream = followContainer(this.opts.docker, s.container, sink, { tail: this.opts.containerTail ?? 100 });
      else {
        this.stream = none;
        sink.end(
          s.container !== undefined
            ? 'Docker is not configured or not reachable'
            : `log source ${s.name} has no file, command, container or journal`,
          true,
        );
      }
    } catch (err) {
      // A pane shows the reason; it never takes the console down.
      this.stream = none;
      sink.end(`cannot follow ${s.name}: ${(err as Error).message}`, true);
    }
    return this;
  }

  /** Ends the source (and its child process) and delivers what was pending. */
  async stop(): Promise<void> {
    await this.stream?.stop();
    this.batcher.stop();
  }

  pause(): void {
    this.buffer.pause();
  }

  /** Unpauses and so jumps to the newest line. */
  resume(): void {
    this.buffer.resume();
  }

  get paused(): boolean {
    return this.buffer.paused;
  }

  /** Sets the filter from what the operator typed; a bad regex leaves the old filter and returns the error. */
  setFilter(input: string): FilterParse {
    const p = parseFilter(input);
    if (p.ok) this.filterValue = p.filter;
    return p;
  }

  get filter(): LogFilter | null {
    return this.filterValue;
  }

  /** The lines to show: the last `limit` matching lines up to the pause/scroll anchor. */
  view(limit: number, endSeq?: number): View {
    return this.buffer.view({ limit, filter: this.filterValue, ...(endSeq !== undefined ? { endSeq } : {}) });
  }

  stats(): TailStats {
    const now = this.now();
    return {
      received: this.seq,
      errors: this.perMinute.total,
      warnings: this.warnings,
      errorsPerMinute: this.perMinute.count(now),
      errorsLastHour: this.perHour.count(now),
      dropped: this.buffer.dropped + this.batcher.dropped,
    };
  }

  get ended(): { reason: string; error: boolean } | undefined {
    return this.endedInfo;
  }

  private ingest(
    texts: readonly string[],
    stream?: 'stdout' | 'stderr',
    levels?: readonly (LogLevel | undefined)[],
  ): void {
    const time = this.now();
    const lines: LogLine[] = new Array<LogLine>(texts.length);
    let errors = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      const level = levels?.[i] ?? classify(text);
      if (level === 'error') errors++;
      else if (level === 'warn') this.warnings++;
      lines[i] = stream ? { seq: this.seq++, time, text, level, stream } : { seq: this.seq++, time, text, level };
    }
    this.countAccess(texts);
    // Counted here, before batching, so lines a flood pushes out of the buffer still count.
    if (errors > 0) {
      this.perMinute.add(time, errors);
      this.perHour.add(time, errors);
    }
    this.batcher.push(lines);
  }

  private countAccess(texts: readonly string[]): void {
    if (this.access) {
      this.access.addLines(texts);
      return;
    }
    if (!this.sniff) return;
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      if (t.trim() === '') continue;
      this.sniff.push(t);
      if (this.sniff.length < 10) continue;
      const first = this.sniff;
      this.sniff = null;
      if (!looksLikeAccessLog(first)) return;
      // Detected from its first lines: counted from them on (the file's older lines are not read again).
      this.access = new AccessAggregator({ now: this.now });
      this.access.addLines(first);
      this.access.addLines(texts.slice(i + 1));
      return;
    }
  }

  private note(text: string): void {
    this.lastStatus = text;
    this.statusQueue.push(text);
    this.batcher.flushNow();
    if (this.statusQueue.length > 0) this.onBatch([]);
  }

  private onBatch(items: LogLine[]): void {
    this.buffer.push(items);
    const status = this.statusQueue;
    this.statusQueue = [];
    this.opts.onFrame?.({ added: items.length, status, ...(this.endedInfo ? { ended: this.endedInfo } : {}) });
  }
}

/** Creates and starts a tail for one configured source. */
export function openLogTail(opts: LogTailOptions): LogTail {
  return new LogTail(opts).start();
}
