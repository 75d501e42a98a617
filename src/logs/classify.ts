// ERROR / WARN marking of log lines. The manuals grep for `ERROR`; real logs also say `FATAL:`
// (PostgreSQL), `[error]` (nginx), `level=error` (logfmt) or `"level":"error"` (JSON loggers).
// Bare words count only in upper or capitalised form, so prose such as "no error found" is not flagged.

export type LogLevel = 'error' | 'warn' | 'info';

const ERROR_WORD =
  /\b(?:ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|EMERG|EMERGENCY|ALERT|SEVERE|Error|Fatal|Critical|Panic|Traceback)\b|Exception\b/;
const ERROR_FIELD =
  /\b(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?(?:err|error|fatal|crit|critical|panic|emerg|alert)\b|\[(?:error|err|crit|critical|alert|emerg|fatal)\]/i;
const WARN_WORD = /\b(?:WARN|WARNING|Warn|Warning)\b/;
const WARN_FIELD = /\b(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?(?:warn|warning)\b|\[(?:warn|warning)\]/i;

/** The level of one line: 'error', 'warn' or 'info'. */
export function classify(text: string): LogLevel {
  if (ERROR_WORD.test(text) || ERROR_FIELD.test(text)) return 'error';
  if (WARN_WORD.test(text) || WARN_FIELD.test(text)) return 'warn';
  return 'info';
}
