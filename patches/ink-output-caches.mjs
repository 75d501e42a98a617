// ink-output-caches — ink 6.8.0 (build/output.js).
//
// What: three rewrites of Ink's output buffer, with helpers from patches/runtime/ink-caches.ts:
// - each frame's caches of styled characters and widths fall back to the previous frame's
//   (carryOverCaches; two frames' worth at most), so an unchanged line costs a map lookup
//   instead of being tokenized again;
// - the blank cells the buffer is filled with are one frozen object (BLANK_CELL) instead of one
//   new object per cell per frame;
// - a row made of the very same cell objects as the previous frame's row reuses that row's text
//   (rowText) instead of re-encoding its styles.
// Why: an idle console redraws every two seconds and most of each frame is unchanged; Ink
// re-tokenized and re-encoded all of it every time.
// Same output: test/build/ink-patches.test.ts renders 40 scripted frames with patched and
// unpatched Ink and requires them to be byte-identical; test/ui/ink-caches.test.ts.
// Gain, measured side by side on 2026-12-04 (method and all figures: patches/README.md):
// idle CPU 0.31 % of a core less (1.34 % → 1.02 %, medians; 0.15–0.56 in each of
// the 6 rounds); first frame no gain (−8 ms, within the noise: it only helps from frame two).
import { fileURLToPath } from 'node:url';
import { rewritePatch } from './patch.mjs';

const caches = JSON.stringify(fileURLToPath(new URL('./runtime/ink-caches.ts', import.meta.url)));
const runtimeImport =
  `import { carryOverCaches as __carryOverCaches, BLANK_CELL as __BLANK_CELL, rowText as __rowText } ` +
  `from ${caches};\n`;

/** Ink's blank cell, as build/output.js makes it afresh for every empty cell of every row. */
const newBlankCell =
  'row.push({\n' +
  "                    type: 'char',\n" +
  "                    value: ' ',\n" +
  '                    fullWidth: false,\n' +
  '                    styles: [],\n' +
  '                });';

/** Ink's per-row text of a frame, re-made for every row of every frame. */
const rowToText =
  '.map(line => {\n' +
  '            // See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742\n' +
  '            const lineWithoutEmptyItems = line.filter(item => item !== undefined);\n' +
  '            return styledCharsToString(lineWithoutEmptyItems).trimEnd();\n' +
  '        })';

export default rewritePatch({
  name: 'ink-output-caches',
  rewrites: [
    {
      target: { name: 'ink', version: '6.8.0', dir: 'node_modules/ink' },
      files: {
        'build/output.js': (s, replace) => {
          let out = replace(s, 'caches = new OutputCaches();', 'caches = __carryOverCaches(OutputCaches);');
          out = replace(out, newBlankCell, 'row.push(__BLANK_CELL);');
          out = replace(out, rowToText, '.map((line, y) => __rowText(y, line, styledCharsToString))');
          return `${runtimeImport}${out}`;
        },
      },
    },
  ],
});
