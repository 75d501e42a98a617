// The build's patches to dependencies (patches/: a faster string-width, cross-frame and bounded
// caches for Ink, code-unit grapheme splitting, yoga without fetch) must not change a single
// byte of what Ink draws: the same scripted frames are rendered by a bundle built with them and
// one built without, and compared.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without types
import { patchPlugins } from '../../patches/index.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'node_modules', '.cache', 'opsdeck-test', 'ink-patches');

async function bundle(name: string, plugins: unknown[]): Promise<{ file: string; text: string }> {
  const dir = path.join(outDir, name);
  const file = path.join(dir, 'ink-frames.js');
  await build({
    entryPoints: [path.join(root, 'test/build/fixtures/ink-frames.tsx')],
    outdir: dir,
    // As dist/ is built: Ink's devtools (react-devtools-core) stay an unloaded chunk.
    splitting: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    logLevel: 'error',
    external: ['react-devtools-core'],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: plugins as never[],
  });
  return { file, text: readFileSync(file, 'utf8') };
}

describe('build plugins for Ink', () => {
  it('render exactly the frames unpatched Ink renders, in colour', async () => {
    process.env.FORCE_COLOR = '3';
    const [plain, patched] = await Promise.all([
      bundle('plain', []),
      bundle('patched', patchPlugins(root) as unknown[]),
    ]);
    // The patches are really in the patched bundle (and not in the plain one).
    for (const marker of [
      'carryOverCaches',
      'BoundedCache',
      'isSimpleCodeUnit',
      'rowText',
      'BLANK_CELL',
      'graphemeSegmenter',
    ]) {
      expect(patched.text).toContain(marker);
      expect(plain.text).not.toContain(marker);
    }
    const render = async (file: string) =>
      ((await import(pathToFileURL(file).href)) as { renderFrames(n: number): string[] }).renderFrames(40);
    const [expected, actual] = [await render(plain.file), await render(patched.file)];
    expect(expected.length).toBeGreaterThan(30);
    expect(expected.join('')).toContain('\x1b[31m'); // colours really on
    expect(expected.join('')).toContain('日本語');
    expect(actual).toEqual(expected);

    // Loading yoga's WebAssembly no longer pulls in Node's fetch implementation (undici).
    const loadsUndici = (file: string) => {
      const url = JSON.stringify(pathToFileURL(file).href);
      const probe =
        `const m = await import(${url}); m.renderFrames(2); ` +
        "console.log(process.moduleLoadList.some((x) => x.includes('undici')));";
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(loadsUndici(plain.file)).toBe('true');
    expect(loadsUndici(patched.file)).toBe('false');
    // No grapheme segmenter is made at load time any more: each one cost ≈ 5 ms of start-up.
    expect(plain.text).toMatch(/[\w$]+ = new Intl\.Segmenter\(/);
    expect(patched.text).not.toMatch(/[\w$]+ = new Intl\.Segmenter\(/);
  }, 60_000);

  const wrapCacheTitle =
    'keep Ink\'s wrap cache from mixing up texts whose key ran together ("51" cut to 2 cells, "5" to 12)';
  it(wrapCacheTitle, async () => {
    const wrapText = async (name: string, plugins: unknown[]) => {
      const dir = path.join(outDir, name);
      // Both files the patch covers (it fails a build that lacks one).
      await build({
        entryPoints: ['wrap-text.js', 'measure-text.js'].map((f) => path.join(root, 'node_modules/ink/build', f)),
        outdir: dir,
        bundle: true,
        format: 'esm',
        platform: 'node',
        logLevel: 'error',
        plugins: plugins as never[],
      });
      return (
        (await import(pathToFileURL(path.join(dir, 'wrap-text.js')).href)) as {
          default(text: string, width: number, type: string): string;
        }
      ).default;
    };
    const [plain, patched] = [
      await wrapText('wrap-plain', []),
      await wrapText(
        'wrap-patched',
        patchPlugins(root, {
          off: 'string-width-fast,ink-output-caches,grapheme-segmenter,yoga-no-fetch',
        }) as unknown[],
      ),
    ];
    expect(plain('51', 2, 'truncate')).toBe('51');
    expect(plain('5', 12, 'truncate')).toBe('51'); // Ink 6.8.0 as published: the other text's entry
    expect(patched('51', 2, 'truncate')).toBe('51');
    expect(patched('5', 12, 'truncate')).toBe('5');
  });
});
