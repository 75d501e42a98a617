// Named colours for levels and UI parts. Every level also has a symbol and a word, so nothing
// depends on colour alone; with NO_COLOR set (or a monochrome terminal) colours are dropped.
import { levelSymbol as symbolOf, levelWord, supportsUnicode } from '../present/format.js';
import type { Level } from '../engine/thresholds.js';

const LEVEL_COLOR: Record<Level, string> = { OK: 'green', WARNING: 'yellow', CRITICAL: 'red', UNKNOWN: 'magenta' };
const ascii = !supportsUnicode(process.env);

/** Whether colours are on: NO_COLOR (any non-empty value) turns them off. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

/** The theme colour of a level, or undefined when colours are off. */
export function levelColor(level: Level): string | undefined {
  return colorEnabled() ? LEVEL_COLOR[level] : undefined;
}

/** Symbol and word for a level, as `opsdeck status` prints them: "✗ CRITICAL" (or "✗ CRIT" when `short`). */
export function levelLabel(level: Level, short = false): string {
  return `${symbolOf(level, ascii)} ${short ? levelWord(level) : level}`;
}

/** Just the symbol of a level. */
export function levelSymbol(level: Level): string {
  return symbolOf(level, ascii);
}

/** A named UI colour (accent, muted), or undefined when colours are off. */
export function uiColor(name: 'accent' | 'muted' | 'badge'): string | undefined {
  if (!colorEnabled()) return undefined;
  return name === 'accent' ? 'cyan' : name === 'badge' ? 'yellow' : 'gray';
}
