// Every patch the build applies to a dependency, in one list (patches/README.md explains each).
// scripts/build-plugins.mjs puts their esbuild plugins into the options dist/ is built with.
import graphemeSegmenter from './grapheme-segmenter.mjs';
import inkBoundedCaches from './ink-bounded-caches.mjs';
import inkOutputCaches from './ink-output-caches.mjs';
import stringWidthFast from './string-width-fast.mjs';
import yogaNoFetch from './yoga-no-fetch.mjs';

export const patches = [stringWidthFast, inkOutputCaches, inkBoundedCaches, graphemeSegmenter, yogaNoFetch];

/**
 * The esbuild plugins of every patch, for the project at `root`, but those named in `off` (a
 * list, or a comma-separated string as in OPSDECK_PATCHES_OFF=yoga-no-fetch,string-width-fast):
 * for measuring what one patch gains, side by side. An unknown name fails.
 */
export function patchPlugins(root, { off = [] } = {}) {
  const names = (typeof off === 'string' ? off.split(',') : off).map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !patches.some((p) => p.name === n));
  if (unknown.length > 0)
    throw new Error(
      `patches: no patch named ${unknown.join(', ')} (there are ${patches.map((p) => p.name).join(', ')})`,
    );
  return patches.filter((p) => !names.includes(p.name)).map((p) => p.plugin(root));
}
