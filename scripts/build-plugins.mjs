// The esbuild options dist/ is built with. The patches the build applies to dependencies (Ink,
// string-width, yoga and Ink's helpers) live in patches/, one file each with its reason and its
// measured gain (patches/README.md); each checks the exact version it was written against and
// fails the build, naming package and version, when it no longer applies.
import path from 'node:path';
import { patchPlugins } from '../patches/index.mjs';

/**
 * The esbuild options dist/ is built with (scripts/build.mjs), for `root`: one bundle with code
 * splitting, so the CLI entry stays small and the console (ink, react) is a chunk loaded only when
 * the console starts. Tests and reports that must see what dist/ holds build with these too.
 * `patchesOff` names patches to leave out (OPSDECK_PATCHES_OFF), for measuring one side by side.
 */
export function distBuildOptions(root, { patchesOff = [] } = {}) {
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
    plugins: patchPlugins(root, { off: patchesOff }),
  };
}
