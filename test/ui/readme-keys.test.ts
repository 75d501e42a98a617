// The README's key table is generated from the keymap: this fails when someone changes a binding
// without regenerating the docs (npm run docs:keys).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { keysMarkdown } from '../../src/ui/keys-doc.js';

it('README key table matches the keymap', () => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(readme);
  expect(m, 'README.md needs a <!-- keys:start --> … <!-- keys:end --> section').not.toBeNull();
  expect(m![1]).toBe(keysMarkdown());
});
