// esbuild plugins for the bundled console (dist/). Each one changes what a dependency costs the
// console, never what it does; each is checked by a test (see the comments) and the build fails
// if a dependency changed shape so a plugin no longer applies.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Ink and its helpers (cli-truncate, widest-line) get `src/ui/string-width-fast.ts` for
 * `string-width`: identical widths, without Intl.Segmenter for every non-ASCII string
 * (test/ui/string-width-fast.test.ts, test/build/ink-patches.test.ts). That module itself gets
 * the real package.
 */
export function fastStringWidth(root) {
  const fast = path.join(root, 'src/ui/string-width-fast.ts');
  return {
    name: 'fast-string-width',
    setup(build) {
      let wrapped;
      build.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.importer === fast || args.pluginData === 'real') return undefined;
        if (!args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        // Only importers that get the same string-width release as the fast module wraps (and is
        // checked against): wrap-ansi, say, has its own older copy, whose widths differ.
        wrapped ??= (await build.resolve('string-width', { resolveDir: path.dirname(fast), kind: 'import-statement', pluginData: 'real' })).path;
        const theirs = await build.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
        return theirs.path === wrapped ? { path: fast } : undefined;
      });
    },
  };
}

/** Replaces `from` by `to` in `source`, failing the build if `from` is not there exactly once. */
function replaceOnce(source, from, to, file) {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0) throw new Error(`build-plugins: ${file} changed shape (expected one ${JSON.stringify(from)}); review scripts/build-plugins.mjs`);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/**
 * Ink's renderer with caches that outlive one frame, bounded (src/ui/ink-caches.ts):
 * - ink/build/output.js: each frame's line cache falls back to the previous frame's, empty cells
 *   are one shared object, and a row made of the very same cells as the previous frame's row
 *   reuses that row's text instead of re-encoding its styles;
 * - ink/build/measure-text.js and wrap-text.js: their process-long caches (every string ever
 *   measured or wrapped, so a console whose values change grew them forever) become bounded;
 * - ansi-tokenize, string-width (both copies) and slice-ansi: grapheme clusters by code unit when
 *   that is exact, an Intl.Segmenter made on first need otherwise (each one made at load time
 *   cost ≈ 5 ms of start-up).
 * test/build/ink-patches.test.ts builds Ink with and without these and compares frames.
 */
export function inkCaches(root) {
  const caches = JSON.stringify(path.join(root, 'src/ui/ink-caches.ts'));
  const patches = [
    {
      file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]output\.js$/,
      apply: (s, f) => {
        let out = replaceOnce(s, 'caches = new OutputCaches();', 'caches = __carryOverCaches(OutputCaches);', f);
        out = replaceOnce(out, "row.push({\n                    type: 'char',\n                    value: ' ',\n                    fullWidth: false,\n                    styles: [],\n                });", 'row.push(__BLANK_CELL);', f);
        out = replaceOnce(out, '.map(line => {\n            // See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742\n            const lineWithoutEmptyItems = line.filter(item => item !== undefined);\n            return styledCharsToString(lineWithoutEmptyItems).trimEnd();\n        })', '.map((line, y) => __rowText(y, line, styledCharsToString))', f);
        return `import { carryOverCaches as __carryOverCaches, BLANK_CELL as __BLANK_CELL, rowText as __rowText } from ${caches};\n${out}`;
      },
    },
    {
      file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]measure-text\.js$/,
      apply: (s, f) => `import { BoundedCache as __BoundedCache } from ${caches};\n${replaceOnce(s, 'const cache = new Map();', 'const cache = new __BoundedCache(4000);', f)}`,
    },
    {
      // Same for wrapped/truncated text; its key also gets separators ("a1"+"0" was "a"+"10").
      file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
      apply: (s, f) => {
        let out = replaceOnce(s, 'const cache = {};', 'const cache = new __BoundedCache(4000);', f);
        out = replaceOnce(out, 'const cacheKey = text + String(maxWidth) + String(wrapType);', "const cacheKey = `${maxWidth}\\u0000${wrapType}\\u0000${text}`;", f);
        out = replaceOnce(out, 'const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);', f);
        out = replaceOnce(out, 'cache[cacheKey] = wrappedText;', 'cache.set(cacheKey, wrappedText);', f);
        return `import { BoundedCache as __BoundedCache } from ${caches};\n${out}`;
      },
    },
    // Every grapheme segmenter Ink's helpers make at load time, made on first need and split by
    // code unit where that is exact (src/ui/ink-caches.ts graphemeSegmenter).
    ...[
      [/[\\/]node_modules[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/, 'new Intl.Segmenter(undefined, { granularity: "grapheme" })'],
      [/[\\/]node_modules[\\/]string-width[\\/]index\.js$/, 'new Intl.Segmenter()'],
      [/[\\/]node_modules[\\/]wrap-ansi[\\/]node_modules[\\/]string-width[\\/]index\.js$/, 'new Intl.Segmenter()'],
      [/[\\/]node_modules[\\/]slice-ansi[\\/]tokenize-ansi\.js$/, "new Intl.Segmenter(undefined, {granularity: 'grapheme'})"],
    ].map(([file, make]) => ({
      file,
      apply: (s, f) => `import { graphemeSegmenter as __graphemeSegmenter } from ${caches};\n${replaceOnce(s, make, `__graphemeSegmenter${make.slice('new Intl.Segmenter'.length)}`, f)}`,
    })),
  ];
  return {
    name: 'ink-caches',
    setup(build) {
      for (const { file, apply } of patches) {
        build.onLoad({ filter: file }, async (args) => ({ contents: apply(await readFile(args.path, 'utf8'), args.path), loader: 'js' }));
      }
    },
  };
}

/**
 * yoga-layout (Ink's layout engine) embeds its WebAssembly as a base64 data: URL and, because
 * Node has `fetch`, loads it with fetch() — which makes Node load its whole fetch implementation
 * (undici) during start-up, ≈ 20 ms before the first frame. The Emscripten loader's own
 * synchronous path decodes the same base64 bytes without fetch; this makes it take that path.
 * test/build/ink-patches.test.ts renders with it (layout must be unchanged) and checks that
 * undici was not loaded.
 */
export function yogaWithoutFetch() {
  return {
    name: 'yoga-without-fetch',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => ({
        contents: replaceOnce(await readFile(args.path, 'utf8'), 'function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?', args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * The esbuild options dist/ is built with (scripts/build.mjs), for `root`: one bundle with code
 * splitting, so the CLI entry stays small and the console (ink, react) is a chunk loaded only when
 * the console starts. Tests and reports that must see what dist/ holds build with these too.
 */
export function distBuildOptions(root) {
  return {
    entryPoints: { main: path.join(root, 'src/cli/main.ts') },
    outdir: path.join(root, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // Native addons and optional dev-only modules stay outside the bundle.
    external: ['node-pty', 'cpu-features', 'ssh2', 'react-devtools-core', 'pg-native'],
    // React's production build: half the size of the development one and much faster to load.
    define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies (pg, ioredis) call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [fastStringWidth(root), inkCaches(root), yogaWithoutFetch()],
  };
}
