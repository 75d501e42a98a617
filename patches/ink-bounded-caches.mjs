// ink-bounded-caches — ink 6.8.0 (build/measure-text.js, build/wrap-text.js).
//
// What: Ink's two process-long caches — text measurement (a Map) and wrapped/truncated text (a
// plain object) — become BoundedCache (patches/runtime/ink-caches.ts): at most two generations
// of 4000 entries. The wrap cache's key also gets separators ("a1" + "0" was "a" + "10").
// Why: both kept every string Ink ever measured or wrapped for the life of the process, so a
// console whose values change every two seconds grew them for as long as it ran.
// Same output: test/build/ink-patches.test.ts (frames byte-identical), test/ui/ink-caches.test.ts.
// Gain, measured side by side on 2026-12-04 (method and all figures: patches/README.md):
// no measurable speed gain: first frame −0.6 ms (45 paired rounds), idle CPU 0.07 % of a core
// less (−0.03 to +0.25 in the 6 rounds: the noise level; all-patches A/A up to ±0.12). Without
// it, the measure cache held 300 strings after 2 minutes on the Overview and grew by about 70 a
// minute (the Logs view adds none: 23,510 flood lines, 61 entries). Kept as a fix, not for
// speed: the wrap cache's key collided (text "51" cut to 2 cells and "5" to 12 are both
// "512truncate", so one could be drawn as the other), and the caches are bounded.
import { fileURLToPath } from 'node:url';
import { rewritePatch } from './patch.mjs';

const caches = JSON.stringify(fileURLToPath(new URL('./runtime/ink-caches.ts', import.meta.url)));
const withBoundedCache = (s) => `import { BoundedCache as __BoundedCache } from ${caches};\n${s}`;

export default rewritePatch({
  name: 'ink-bounded-caches',
  rewrites: [
    {
      target: { name: 'ink', version: '6.8.0', dir: 'node_modules/ink' },
      files: {
        'build/measure-text.js': (s, replace) =>
          withBoundedCache(replace(s, 'const cache = new Map();', 'const cache = new __BoundedCache(4000);')),
        'build/wrap-text.js': (s, replace) => {
          let out = replace(s, 'const cache = {};', 'const cache = new __BoundedCache(4000);');
          out = replace(
            out,
            'const cacheKey = text + String(maxWidth) + String(wrapType);',
            'const cacheKey = `${maxWidth}\\u0000${wrapType}\\u0000${text}`;',
          );
          out = replace(out, 'const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);');
          out = replace(out, 'cache[cacheKey] = wrappedText;', 'cache.set(cacheKey, wrappedText);');
          return withBoundedCache(out);
        },
      },
    },
  ],
});
