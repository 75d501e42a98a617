// The README's key table, generated from the one keymap so the docs cannot drift from the code
// (test/ui/readme-keys.test.ts fails when they differ; `npm run docs:keys` rewrites the README).
import { COMMANDS, keysLabel, MODE_TITLES, scopesOf, VIEW_TITLES, type Command, type Scope } from './keymap.js';

function scopeTitle(scope: Scope): string {
  if (scope === 'global') return 'everywhere';
  if (scope in VIEW_TITLES) return VIEW_TITLES[scope as keyof typeof VIEW_TITLES];
  return MODE_TITLES[scope as keyof typeof MODE_TITLES] ?? scope;
}

/** A markdown table of every command: where it works, its keys, what it does, whether it changes things. */
export function keysMarkdown(commands: readonly Command[] = COMMANDS): string {
  const rows = commands.map((c) => {
    const where = scopesOf(c).map(scopeTitle).join(', ');
    const keys = keysLabel(c).replace(/\|/g, '\\|');
    const changes = c.dangerous ? ' (changes things; hidden in read-only mode)' : '';
    return `| ${where} | \`${keys}\` | ${c.description}${changes} |`;
  });
  return ['| where | keys | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
