// Which chunks and packages the first frame loads (main + the console session and their static
// imports), by size: node scripts/first-frame-chunks.mjs [1 for src subfolders]. Run from the project root.
import { build } from 'esbuild';
import { distBuildOptions } from './build-plugins.mjs';
const r = await build({
  ...distBuildOptions(process.cwd()),
  outdir: '/tmp/metadist',
  sourcemap: false,
  metafile: true,
  write: false,
});
const outs = r.metafile.outputs;
const key = (p) => Object.keys(outs).find((k) => k.endsWith(p));
// static closure of main + console-session
const seen = new Set();
const visit = (k) => {
  if (!k || seen.has(k)) return;
  seen.add(k);
  for (const i of outs[k].imports)
    if (i.kind === 'import-statement' && !i.external)
      visit(Object.keys(outs).find((o) => o.endsWith(i.path.replace(/^.*\/chunks\//, 'chunks/'))));
};
visit(key('/main.js'));
visit(Object.keys(outs).find((k) => k.includes('console-session') && k.endsWith('.js')));
let total = 0;
const agg = {};
for (const k of seen) {
  total += outs[k].bytes;
  for (const [inp, v] of Object.entries(outs[k].inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inp);
    const g = m
      ? m[1]
      : inp
          .split('/')
          .slice(0, process.argv[2] ? 3 : 2)
          .join('/');
    agg[g] = (agg[g] || 0) + v.bytesInOutput;
  }
}
console.log('first-frame closure', (total / 1024).toFixed(0), 'KB in', seen.size, 'files');
console.log(
  Object.entries(agg)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([k, v]) => `${(v / 1024).toFixed(0).padStart(5)}K ${k}`)
    .join('\n'),
);
