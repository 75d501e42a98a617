// The console bundles zod/mini with its English locale and nothing else of zod: classic zod
// (≈ 290 KB more to load at start-up) or the other locales (≈ 330 KB) coming back shows here.
// The English wording itself is checked in test/config/messages.test.ts and, from the built
// binary, in test/cli/config-messages.test.ts.
import { build } from 'esbuild';
import path from 'node:path';
import { expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without types
import { distBuildOptions } from '../../scripts/build-plugins.mjs';

const root = path.resolve(import.meta.dirname, '../..');

it('dist/ holds zod/mini and the English locale only', async () => {
  // Exactly as scripts/build.mjs builds dist/, into memory.
  const r = await build({
    ...distBuildOptions(root),
    outdir: path.join(root, 'node_modules', '.cache', 'opsdeck-test', 'zod-bundle'),
    sourcemap: false,
    logLevel: 'error',
    metafile: true,
    write: false,
  });
  const zod = new Set<string>();
  for (const out of Object.values(r.metafile!.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/zod\/(.*)$/.exec(input);
      if (m && bytesInOutput > 0) zod.add(m[1]!);
    }
  }
  expect([...zod].filter((f) => !/^v4\/(core|mini)\/[^/]+\.js$/.test(f))).toEqual(['v4/locales/en.js']);
  expect(zod).toContain('v4/mini/schemas.js');
});
