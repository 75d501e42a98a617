// Builds dist/ as one esbuild bundle with code splitting: the CLI entry stays small and the
// console (ink, react) is a chunk loaded only when the console starts. Measured against plain
// `tsc` output in the README (bundled loads faster: fewer files to resolve and read).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fastStringWidth, inkCaches, yogaWithoutFetch } from './build-plugins.mjs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist',
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
  plugins: [fastStringWidth(process.cwd()), inkCaches(process.cwd()), yogaWithoutFetch()],
});
