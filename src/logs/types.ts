// Shared shapes of the log layer: what a line is, what a source reports, how a tail is stopped.
import type { LogLevel } from './classify.js';

export interface LogLine {
  /** Increasing per tail; lets the view anchor and scroll while old lines fall out of the buffer. */
  seq: number;
  /** When opsdeck received the line (ms). */
  time: number;
  text: string;
  level: LogLevel;
  stream?: 'stdout' | 'stderr';
}

/** What a source reports: lines, changes of state in words, and its end. */
export interface SourceSink {
  /** `levels[i]`, when given, is line i's mark as the source knows it (a journal priority); else the text decides. */
  lines(texts: string[], stream?: 'stdout' | 'stderr', levels?: readonly (LogLevel | undefined)[]): void;
  /** E.g. "file rotated; following the new file", "waiting for /var/log/x to appear". */
  status(text: string): void;
  /** The source has ended for good (command exited, container stopped, error). */
  end(reason: string, error?: boolean): void;
}

/** A running source; stop() ends it and any child process, and resolves when they are gone. */
export interface LogStream {
  stop(): Promise<void>;
}
