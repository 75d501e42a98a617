// string-width-fast — string-width 8.3.0, as Ink 6.8.0 and its helpers (cli-truncate, widest-line)
// import it.
//
// What: those importers get patches/runtime/string-width-fast.ts instead of `string-width`. It
// sums the East Asian Width of strings made only of characters that are each their own grapheme
// cluster (SGR colour codes skipped) and hands anything else to the real string-width 8.3.0, so
// every width is identical (test/ui/string-width-fast.test.ts checks every code point the fast
// path accepts, and random strings, against string-width; test/build/ink-patches.test.ts compares
// whole frames with unpatched Ink). The module itself, and any other copy of string-width
// (wrap-ansi has its own 7.2.0, whose widths differ), get the real package.
// Why: Ink measures every text node and, in its output buffer, every character of every frame;
// string-width sends any string with one non-ASCII character (sparklines, box drawing, "—", "✓")
// through Intl.Segmenter and Unicode-property regular expressions.
// Gain, measured side by side on 2026-12-04 (method and all figures: patches/README.md):
// first frame 13 ms less main-thread CPU (median of 45 paired rounds; 20, 27 and 0 ms in the
// three runs; all-patches A/A 2 ms); idle CPU no gain (+0.01 % of a core, 6 rounds): with
// ink-output-caches, unchanged lines are no longer measured again. Kept for the first frame.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkInstalled, patchFile } from './patch.mjs';

const name = 'string-width-fast';
const target = { name: 'string-width', version: '8.3.0', dir: 'node_modules/string-width' };
const fast = fileURLToPath(new URL('./runtime/string-width-fast.ts', import.meta.url));

export default {
  name,
  targets: [target],
  plugin(root) {
    return {
      name,
      setup(build) {
        const dir = checkInstalled(name, root, target);
        let wrapped;
        let used = false;
        build.onResolve({ filter: /^string-width$/ }, async (args) => {
          if (args.importer === fast || args.pluginData === 'real') return undefined;
          if (!args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
          // Only importers that get the very copy the fast module wraps (and is tested against).
          if (wrapped === undefined) {
            wrapped = (
              await build.resolve('string-width', {
                resolveDir: path.dirname(fast),
                kind: 'import-statement',
                pluginData: 'real',
              })
            ).path;
            if (!wrapped.startsWith(dir + path.sep))
              throw new Error(
                `${patchFile(name)}: the fast path wraps ${wrapped}, ` +
                  `not string-width ${target.version} in ${target.dir} — review the patch`,
              );
          }
          const theirs = await build.resolve('string-width', {
            resolveDir: args.resolveDir,
            kind: args.kind,
            pluginData: 'real',
          });
          if (theirs.path !== wrapped) return undefined;
          used = true;
          return { path: fast };
        });
        build.onEnd((result) => {
          if (result.errors.length > 0 || used) return undefined;
          return {
            errors: [
              {
                text:
                  `${patchFile(name)}: nothing in the build imported string-width ${target.version}, ` +
                  'so the patch did not apply — review the patch',
              },
            ],
          };
        });
      },
    };
  },
};
