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
 * - ink/build/output.js: each frame's line cache falls back to the previous frame's;
 * - ink/build/measure-text.js: the process-long text-size Map becomes a bounded one;
 * - @alcalzone/ansi-tokenize's tokenize: grapheme clusters by code unit when that is exact,
 *   Intl.Segmenter otherwise.
 * test/build/ink-patches.test.ts builds Ink with and without these and compares frames.
 */
export function inkCaches(root) {
  const caches = JSON.stringify(path.join(root, 'src/ui/ink-caches.ts'));
  const patches = [
    {
      file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]output\.js$/,
      apply: (s, f) => `import { carryOverCaches as __carryOverCaches } from ${caches};\n${replaceOnce(s, 'caches = new OutputCaches();', 'caches = __carryOverCaches(OutputCaches);', f)}`,
    },
    {
      file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]measure-text\.js$/,
      apply: (s, f) => `import { BoundedCache as __BoundedCache } from ${caches};\n${replaceOnce(s, 'const cache = new Map();', 'const cache = new __BoundedCache(4000);', f)}`,
    },
    {
      file: /[\\/]node_modules[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
      apply: (s, f) => {
        const out = replaceOnce(s, 'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });', '', f);
        return `import { segments as __segments } from ${caches};\n${replaceOnce(out, 'of segmenter.segment(str)', 'of __segments(str)', f)}`;
      },
    },
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
