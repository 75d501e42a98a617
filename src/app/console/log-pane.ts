// One stream per pane: the Logs view's tail lives here, outside React, so an overlay (help,
// palette) over the view does not restart it, while leaving the view or choosing another source
// stops the old stream and its child process before the new one starts. The view subscribes
// to a frame counter and reads lines from the tail on each render.
import { errorText } from '../../plan/errors.js';
import type { LogSourceConfig } from '../../config/schema.js';
import { parseFilter } from '../../logs/filter.js';
import type { HistoryMatch, HourCount } from '../../logs/history.js';
import type { LogTail, TailFrame } from '../../logs/tail.js';

/** A search of a file source's history (the file and its rotated and .gz siblings, newest first). */
export interface HistorySearch {
  source: string;
  /** The filter searched for ('' = every line). */
  query: string;
  /** Matches so far, newest file first; at most HISTORY_KEEP (the count goes on). */
  matches: HistoryMatch[];
  count: number;
  files: number;
  filesDone: number;
  done: boolean;
  cancelled: boolean;
  error?: string;
  /** Errors per hour over the last 24 h, once counted. */
  perHour?: HourCount[];
}

/** Matches kept for the view; the search counts on past it. */
export const HISTORY_KEEP = 5000;

/** Opens and starts a tail (ConsoleActions.openLogTail). */
export type OpenTail = (source: LogSourceConfig, onFrame: (frame: TailFrame) => void) => Promise<LogTail>;

/** A stable identity for a source: the same name and target is the same stream. */
export function sourceKey(s: LogSourceConfig): string {
  return JSON.stringify([s.name, s.file ?? null, s.command ?? null, s.container ?? null, s.journal ?? null]);
}

/** The log tail of the Logs view. */
export class LogPane {
  private key: string | null = null;
  private current: LogTail | null = null;
  /** Every open and stop runs in this chain, one after the other; it never rejects. */
  private chain: Promise<void> = Promise.resolve();
  private gen = 0;
  private frames = 0;
  private error: string | null = null;
  private filterText = '';
  private readonly listeners = new Set<() => void>();

  private found: LogSourceConfig[] | null = null;
  private historyState: HistorySearch | null = null;
  private historyAbort: AbortController | null = null;
  private finding = false;

  constructor(
    private readonly open: OpenTail,
    private readonly find: () => Promise<LogSourceConfig[]> = async () => [],
  ) {}

  /** What the host offers when no sources are configured: looked for once, on the first call; null until known. */
  discovered(): LogSourceConfig[] | null {
    if (this.found === null && !this.finding) {
      this.finding = true;
      void this.find()
        .catch(() => [] as LogSourceConfig[])
        .then((list) => {
          this.found = list;
          this.bump();
        });
    }
    return this.found;
  }

  /** Follows `source`; the same source again is a no-op, another one replaces the old stream. */
  show(source: LogSourceConfig): void {
    const key = sourceKey(source);
    if (key === this.key) return;
    this.closeHistory();
    const old = this.current;
    this.current = null;
    this.key = key;
    this.error = null;
    const gen = ++this.gen;
    this.bump();
    // The old child is gone before the new one starts: one stream per pane, at all times.
    this.chain = this.chain.then(async () => {
      await old?.stop().catch(() => undefined);
      if (gen !== this.gen) return;
      try {
        const tail = await this.open(source, () => this.bump());
        if (gen !== this.gen) {
          await tail.stop().catch(() => undefined);
          return;
        }
        this.current = tail;
        if (this.filterText) tail.setFilter(this.filterText);
      } catch (err) {
        if (gen === this.gen) this.error = `cannot follow ${source.name}: ${errorText(err)}`;
      }
      this.bump();
    });
  }

  /** Stops the stream and its child process (leaving the view); resolves when they are gone. */
  stop(): Promise<void> {
    this.closeHistory();
    const old = this.current;
    this.current = null;
    this.key = null;
    this.gen++;
    this.chain = this.chain.then(async () => {
      await old?.stop().catch(() => undefined);
    });
    this.bump();
    return this.chain;
  }

  /** The history search shown, if any. */
  history(): HistorySearch | null {
    return this.historyState;
  }

  /**
   * Searches the history of `source` (a file source) for the current filter, streaming, newest file
   * first, with the last 24 h's errors per hour; a search already running is cancelled first.
   */
  searchHistory(source: LogSourceConfig): void {
    this.closeHistory();
    const ac = new AbortController();
    this.historyAbort = ac;
    const h: HistorySearch = {
      source: source.name,
      query: this.filterText,
      matches: [],
      count: 0,
      files: 0,
      filesDone: 0,
      done: false,
      cancelled: false,
    };
    this.historyState = h;
    this.bump();
    if (source.file === undefined) {
      h.done = true;
      h.error = `${source.name} is not a file: only a file source has rotated history`;
      this.bump();
      return;
    }
    const file = source.file;
    const filter = parseFilter(this.filterText);
    const test = filter.ok && filter.filter ? filter.filter : null;
    void (async () => {
      const { rotatedFiles, searchHistory, errorsPerHour } = await import('../../logs/history.js');
      const files = await rotatedFiles(file);
      h.files = files.length;
      this.bump();
      // Every line is handed over and tested with the view's own filter (substring or /regex/, smart case).
      await searchHistory(files, /(?:)/, {
        signal: ac.signal,
        onFile: () => {
          h.filesDone++;
        },
        onMatches: (ms) => {
          const hits = test ? ms.filter((m) => test.test(m.text)) : ms;
          h.count += hits.length;
          const room = HISTORY_KEEP - h.matches.length;
          if (room > 0) h.matches.push(...hits.slice(0, room));
          this.bump();
        },
      });
      if (!ac.signal.aborted) h.perHour = (await errorsPerHour(files, { signal: ac.signal })).hours;
    })()
      .catch((err: unknown) => {
        h.error = errorText(err);
      })
      .finally(() => {
        h.done = true;
        h.cancelled = ac.signal.aborted;
        this.bump();
      });
  }

  /** Cancels the history search and closes it; false when none is shown. */
  closeHistory(): boolean {
    const had = this.historyState !== null;
    this.historyAbort?.abort();
    this.historyAbort = null;
    this.historyState = null;
    if (had) this.bump();
    return had;
  }

  /** The running tail, once open. */
  tail(): LogTail | null {
    return this.current;
  }

  /** Why the source could not be opened, if it could not. */
  failure(): string | null {
    return this.error;
  }

  /** The filter as typed (kept for the next source too). */
  filter(): string {
    return this.filterText;
  }

  /** Sets the filter; returns the error in words for a bad regex (the old filter stays). */
  setFilter(text: string): string | null {
    const p = parseFilter(text);
    if (!p.ok) return p.error;
    this.current?.setFilter(text);
    this.filterText = text;
    this.bump();
    return null;
  }

  /** A counter that changes on every frame (for useSyncExternalStore). */
  version = (): number => this.frames;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Re-renders the view (after a pause or scroll, which change what the tail shows). */
  bump(): void {
    this.frames++;
    for (const l of this.listeners) l();
  }
}
