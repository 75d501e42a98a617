// Builds dist/ as one esbuild bundle with code splitting (options in build-plugins.mjs): the CLI
// entry stays small and the console (ink, react) is a chunk loaded only when the console starts.
// Measured against plain `tsc` output in the README (bundled loads faster: fewer files to
// resolve and read). The dependency patches come from patches/ (patches/README.md); a patch
// that no longer applies fails the build. For side-by-side measurements:
//   OPSDECK_PATCHES_OFF=yoga-no-fetch,string-width-fast node scripts/build.mjs --outdir /tmp/ab/dist
// builds without the named patches into another directory.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { distBuildOptions } from './build-plugins.mjs';

const outArg = process.argv.indexOf('--outdir');
const outdir = path.resolve(outArg > 0 ? process.argv[outArg + 1] : 'dist');
rmSync(outdir, { recursive: true, force: true });
await build({ ...distBuildOptions(process.cwd(), { patchesOff: process.env.OPSDECK_PATCHES_OFF ?? '' }), outdir });
