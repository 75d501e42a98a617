// Builds dist/ as one esbuild bundle with code splitting (options in build-plugins.mjs): the CLI
// entry stays small and the console (ink, react) is a chunk loaded only when the console starts.
// Measured against plain `tsc` output in the README (bundled loads faster: fewer files to
// resolve and read). The dependency patches come from patches/ (patches/README.md); a patch
// that no longer applies fails the build. For side-by-side measurements:
//   OPSDECK_PATCHES_OFF=yoga-no-fetch,string-width-fast node scripts/build.mjs --outdir /tmp/ab/dist
// builds without the named patches into another directory.
//
// Then dist/native/copy-tags.so, the library preloaded into pg_dump for the row counts of custom-
// format backups (src/backup/copy-tags.ts), with the C compiler ($CC, else cc). Without one the
// build still succeeds and says so: those backups then count rows with count(*) beside the dump.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { distBuildOptions } from './build-plugins.mjs';

const outArg = process.argv.indexOf('--outdir');
const outdir = path.resolve(outArg > 0 ? process.argv[outArg + 1] : 'dist');
rmSync(outdir, { recursive: true, force: true });
await build({ ...distBuildOptions(process.cwd(), { patchesOff: process.env.OPSDECK_PATCHES_OFF ?? '' }), outdir });

const cc = process.env.CC || 'cc';
const out = path.join('dist', 'native', 'copy-tags.so');
mkdirSync(path.dirname(out), { recursive: true });
try {
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-o', out, path.join('native', 'copy-tags.c'), '-ldl'], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (err) {
  const why = err.code === 'ENOENT' ? `no C compiler ("${cc}" not found; install gcc or set CC)` : `${cc} failed`;
  process.stderr.write(`build: dist/native/copy-tags.so not built: ${why}. Custom-format backups will count rows with count(*) beside the dump (slower).\n`);
}
