// What every patch in this folder is made of (patches/README.md): the exact package versions it
// was written against, checked before the build starts, and text rewrites that must each apply
// exactly once. A patch that no longer fits fails the build with a message naming the patch,
// the package and the version, never silently ships unpatched.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A package a patch was written against: `dir` is where it is installed, relative to the project
 * root (a nested copy has its parent's path), `version` the exact version the patch expects.
 * @typedef {{ name: string, version: string, dir: string }} Target
 */

/** Where a patch lives, for messages. */
export const patchFile = (name) => `patches/${name}.mjs`;

/**
 * Checks that `target` is installed under `root` at exactly its version; returns its real
 * directory. Throws `patches/<patch>.mjs: ink 6.8.0 expected, found 6.9.1 — review the patch`.
 */
export function checkInstalled(patch, root, target) {
  const dir = path.join(root, target.dir);
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest))
    throw new Error(
      `${patchFile(patch)}: ${target.name} ${target.version} expected in ${target.dir}, found none — review the patch`,
    );
  const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (name !== target.name || version !== target.version) {
    const found = name === target.name ? version : `${name} ${version}`;
    throw new Error(
      `${patchFile(patch)}: ${target.name} ${target.version} expected, ` +
        `found ${found} in ${target.dir} — review the patch`,
    );
  }
  return realpathSync(dir);
}

/**
 * Replaces `from` by `to` in `source` (file `file` of package `target`), failing unless `from`
 * occurs exactly once: `patches/<patch>.mjs: does not apply to ink 6.8.0 (build/output.js: …)`.
 */
export function replaceOnce(patch, target, file, source, from, to) {
  const at = source.indexOf(from);
  const again = at < 0 ? -1 : source.indexOf(from, at + 1);
  if (at < 0 || again >= 0) {
    const shown = from.length > 70 ? `${from.slice(0, 70)}…` : from;
    const where = at < 0 ? 'nowhere' : 'more than once';
    throw new Error(
      `${patchFile(patch)}: does not apply to ${target.name} ${target.version} ` +
        `(${file}: ${JSON.stringify(shown)} found ${where}, expected once) — review the patch`,
    );
  }
  return source.slice(0, at) + to + source.slice(at + from.length);
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A patch made of text rewrites. `rewrites` lists, per target package, functions from a file's
 * source to its patched source; each gets `replace(source, from, to)` (replaceOnce bound to that
 * package and file). The esbuild plugin checks every target's version before the build, patches
 * exactly those files of exactly those copies, and fails the build if one of them was not in it.
 * @typedef {(source: string, from: string, to: string) => string} Replace
 * @typedef {(source: string, replace: Replace) => string} Rewrite
 * @param {{ name: string, rewrites: { target: Target, files: Record<string, Rewrite> }[] }} spec
 */
export function rewritePatch({ name, rewrites }) {
  const patch = {
    name,
    targets: rewrites.map((r) => r.target),
    /** Every file it rewrites, with its package. */
    files: rewrites.flatMap((r) => Object.keys(r.files).map((file) => ({ target: r.target, file }))),
    /** Applies the rewrite of `file` of `target` to `source` (what the plugin does; tests call it on altered text). */
    apply(target, file, source) {
      const rewrite = rewrites.find((r) => r.target === target)?.files[file];
      if (!rewrite) throw new Error(`${patchFile(name)}: no rewrite for ${target.name} ${file}`);
      return rewrite(source, (s, from, to) => replaceOnce(name, target, file, s, from, to));
    },
    plugin(root) {
      return {
        name,
        setup(build) {
          const pending = new Map();
          for (const { target, files } of rewrites) {
            const dir = checkInstalled(name, root, target);
            for (const file of Object.keys(files)) {
              const full = path.join(dir, file);
              pending.set(full, `${target.name} ${target.version} ${file}`);
              build.onLoad({ filter: new RegExp(`^${escapeRegExp(full)}$`) }, async (args) => {
                const contents = patch.apply(target, file, await readFile(args.path, 'utf8'));
                pending.delete(full);
                return { contents, loader: 'js' };
              });
            }
          }
          // A file the dependency no longer loads would leave the patch silently unused.
          build.onEnd((result) => {
            if (result.errors.length > 0 || pending.size === 0) return undefined;
            return {
              errors: [...pending.values()].map((what) => ({
                text: `${patchFile(name)}: ${what} was not in the build, so the patch did not apply — review the patch`,
              })),
            };
          });
        },
      };
    },
  };
  return patch;
}
