// ERROR / WARN marking of log lines. The manuals grep for `ERROR`; real logs also say `FATAL:`
// (PostgreSQL), `[error]` (nginx), `level=error` (logfmt) or `"level":"error"` (JSON loggers).
// Bare words count only in upper or capitalised form, so prose such as "no error found" is not flagged.

export type LogLevel = 'error' | 'warn' | 'info';

// Each of these is one regex (one scan of the line), composed of its alternatives.
const ERROR_WORD = new RegExp(
  [
    /\b(?:ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|EMERG|EMERGENCY|ALERT|SEVERE)\b/.source, // upper case
    /\b(?:Error|Fatal|Critical|Panic|Traceback)\b/.source, // capitalised
    /Exception\b/.source, // also inside a word: NullPointerException
  ].join('|'),
);
const ERROR_FIELD = new RegExp(
  [
    /\b(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?(?:err|error|fatal|crit|critical|panic|emerg|alert)\b/.source,
    /\[(?:error|err|crit|critical|alert|emerg|fatal)\]/.source, // [error] (nginx)
  ].join('|'),
  'i',
);
const WARN_WORD = /\b(?:WARN|WARNING|Warn|Warning)\b/;
const WARN_FIELD = /\b(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?(?:warn|warning)\b|\[(?:warn|warning)\]/i;

/** The level of one line: 'error', 'warn' or 'info'. */
export function classify(text: string): LogLevel {
  if (ERROR_WORD.test(text) || ERROR_FIELD.test(text)) return 'error';
  if (WARN_WORD.test(text) || WARN_FIELD.test(text)) return 'warn';
  return 'info';
}
