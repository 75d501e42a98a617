// Rewrites the key table in README.md from the keymap (npm run docs:keys).
import { readFileSync, writeFileSync } from 'node:fs';
import { keysMarkdown } from '../src/ui/keys-doc.js';

const START = '<!-- keys:start -->';
const END = '<!-- keys:end -->';
const readme = readFileSync('README.md', 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} section`);
writeFileSync('README.md', `${readme.slice(0, a + START.length)}\n${keysMarkdown()}\n${readme.slice(b)}`);
