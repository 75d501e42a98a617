// yoga-no-fetch — yoga-layout 3.2.1 (dist/binaries/yoga-wasm-base64-esm.js), Ink's layout engine.
//
// What: yoga's Emscripten loader takes its synchronous path — decoding the WebAssembly from the
// base64 data: URL it embeds — instead of fetch()ing that same data: URL.
// Why: because Node has a global `fetch`, the loader called it, and the first fetch() makes Node
// load its whole fetch implementation (undici) during start-up.
// Same output: test/build/ink-patches.test.ts renders with it (layout unchanged) and checks that
// undici is no longer loaded.
// Gain, measured side by side on 2026-12-04 (method and all figures: patches/README.md):
// first frame 60 ms less main-thread CPU (median of 30 paired rounds, 70 and 51 ms in the two
// runs; lower in 97 % of rounds); idle CPU no real change (+0.09 %, within the noise: only how
// yoga is loaded changes). Kept.
import { rewritePatch } from './patch.mjs';

export default rewritePatch({
  name: 'yoga-no-fetch',
  rewrites: [
    {
      target: { name: 'yoga-layout', version: '3.2.1', dir: 'node_modules/yoga-layout' },
      files: {
        'dist/binaries/yoga-wasm-base64-esm.js': (s, replace) =>
          replace(s, 'function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?'),
      },
    },
  ],
});
