// Which chunks and packages the first frame loads (main + the console session and their static
// imports), by size: node scripts/first-frame-chunks.mjs [1 for src subfolders]. Run from the project root.
import { build } from 'esbuild';
import { fastStringWidth, inkCaches } from './build-plugins.mjs';
const r = await build({
  entryPoints: { main: 'src/cli/main.ts' }, outdir: '/tmp/metadist', bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', jsx: 'automatic', minifySyntax: true, legalComments: 'none', logLevel: 'warning', metafile: true, write: false,
  external: ['node-pty', 'cpu-features', 'ssh2', 'react-devtools-core', 'pg-native'],
  define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' }, chunkNames: 'chunks/[name]-[hash]',
  plugins: [fastStringWidth(process.cwd()), inkCaches(process.cwd())],
});
const outs = r.metafile.outputs;
const key = (p) => Object.keys(outs).find((k) => k.endsWith(p));
// static closure of main + console-session
const seen = new Set();
const visit = (k) => { if (!k || seen.has(k)) return; seen.add(k); for (const i of outs[k].imports) if (i.kind === 'import-statement' && !i.external) visit(Object.keys(outs).find((o) => o.endsWith(i.path.replace(/^.*\/chunks\//, 'chunks/')))); };
visit(key('/main.js'));
visit(Object.keys(outs).find((k) => k.includes('console-session') && k.endsWith('.js')));
let total = 0; const agg = {};
for (const k of seen) { total += outs[k].bytes; for (const [inp, v] of Object.entries(outs[k].inputs)) { const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inp); const g = m ? m[1] : inp.split('/').slice(0, process.argv[2] ? 3 : 2).join('/'); agg[g] = (agg[g] || 0) + v.bytesInOutput; } }
console.log('first-frame closure', (total / 1024).toFixed(0), 'KB in', seen.size, 'files');
console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${(v / 1024).toFixed(0).padStart(5)}K ${k}`).join('\n'));
