// grapheme-segmenter — @alcalzone/ansi-tokenize 0.2.5, string-width 8.3.0, wrap-ansi's own
// string-width 7.2.0 and slice-ansi 8.0.0 (all loaded by Ink 6.8.0).
//
// What: each of them makes an `Intl.Segmenter` for grapheme clusters when it is loaded; here
// that becomes graphemeSegmenter (patches/runtime/ink-caches.ts), which splits a string by UTF-16
// code unit when every code unit is a cluster of its own (ASCII, and the characters of
// string-width-fast's simple set) and otherwise uses a real Intl.Segmenter, made on first need.
// Why: making a segmenter loads ICU's break-iterator data, ≈ 5 ms of start-up each, four times
// before the first frame; and Intl.Segmenter is slow for the short strings Ink splits every frame.
// Same output: test/ui/string-width-fast.test.ts compares its clusters with Intl.Segmenter's;
// test/build/ink-patches.test.ts (frames byte-identical, no segmenter made at load time).
// Gain, measured side by side on 2026-12-04 (method and all figures: patches/README.md):
// first frame 19 ms less main-thread CPU (median of 45 paired rounds; 14, 22 and 21 ms in the
// three runs); idle CPU 0.11 % of a core less (6 rounds: 0.02–0.19). Kept.
import { fileURLToPath } from 'node:url';
import { rewritePatch } from './patch.mjs';

const caches = JSON.stringify(fileURLToPath(new URL('./runtime/ink-caches.ts', import.meta.url)));
/** `new Intl.Segmenter(args)` → `__graphemeSegmenter(args)`, imported from the runtime module. */
const lazy = (make) => (s, replace) => {
  const call = `__graphemeSegmenter${make.slice('new Intl.Segmenter'.length)}`;
  return `import { graphemeSegmenter as __graphemeSegmenter } from ${caches};\n${replace(s, make, call)}`;
};

export default rewritePatch({
  name: 'grapheme-segmenter',
  rewrites: [
    {
      target: { name: '@alcalzone/ansi-tokenize', version: '0.2.5', dir: 'node_modules/@alcalzone/ansi-tokenize' },
      files: { 'build/tokenize.js': lazy('new Intl.Segmenter(undefined, { granularity: "grapheme" })') },
    },
    {
      target: { name: 'string-width', version: '8.3.0', dir: 'node_modules/string-width' },
      files: { 'index.js': lazy('new Intl.Segmenter()') },
    },
    {
      target: { name: 'string-width', version: '7.2.0', dir: 'node_modules/wrap-ansi/node_modules/string-width' },
      files: { 'index.js': lazy('new Intl.Segmenter()') },
    },
    {
      target: { name: 'slice-ansi', version: '8.0.0', dir: 'node_modules/slice-ansi' },
      files: { 'tokenize-ansi.js': lazy("new Intl.Segmenter(undefined, {granularity: 'grapheme'})") },
    },
  ],
});
