// A patch in patches/ that no longer fits its dependency fails the build with a message naming
// the patch, the package and the version (patches/README.md): another version installed, a text
// it rewrites gone or doubled, a file it patches no longer in the build, an unknown patch name.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without types
import { patches, patchPlugins } from '../../patches/index.mjs';

interface Target {
  name: string;
  version: string;
  dir: string;
}
interface Patch {
  name: string;
  targets: Target[];
  files?: { target: Target; file: string }[];
  apply?(target: Target, file: string, source: string): string;
  plugin(root: string): unknown;
}

const root = path.resolve(import.meta.dirname, '../..');
const all = patches as Patch[];
const byName = (name: string) => all.find((p) => p.name === name)!;
const dirs: string[] = [];

/** A project root holding only fake packages: `files` maps paths under it to their text. */
function fakeRoot(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-patch-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const manifest = (name: string, version: string) => JSON.stringify({ name, version, type: 'module' });

/** Builds `entry` (a path under `dir`) with `plugins`, in memory; resolves with the error message, if any. */
async function buildError(dir: string, entry: string, plugins: unknown[]): Promise<string | undefined> {
  try {
    await build({
      entryPoints: [path.join(dir, entry)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      plugins: plugins as never[],
    });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('dependency patches', () => {
  it('each names the exact versions it was written against, and those are installed and pinned', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      overrides: Record<string, unknown>;
    };
    expect(all.map((p) => p.name).sort()).toEqual([
      'grapheme-segmenter',
      'ink-bounded-caches',
      'ink-output-caches',
      'string-width-fast',
      'yoga-no-fetch',
    ]);
    for (const patch of all) {
      for (const t of patch.targets) {
        expect(t.version, `${patch.name}: ${t.name}`).toMatch(/^\d+\.\d+\.\d+$/);
        const installed = JSON.parse(readFileSync(path.join(root, t.dir, 'package.json'), 'utf8')) as {
          version: string;
        };
        expect(installed.version, `${patch.name}: ${t.dir}`).toBe(t.version);
        // Pinned: a direct dependency at exactly this version, or an exact override.
        const nested = /^node_modules\/(.+)\/node_modules\/(.+)$/.exec(t.dir);
        const parent =
          nested &&
          (JSON.parse(readFileSync(path.join(root, 'node_modules', nested[1]!, 'package.json'), 'utf8')) as {
            version: string;
          } | null);
        const pin = nested
          ? (pkg.overrides[`${nested[1]}@${parent!.version}`] as Record<string, string> | undefined)?.[nested[2]!]
          : (pkg.dependencies[t.name] ?? pkg.overrides[t.name]);
        expect(pin, `${patch.name}: pin of ${t.dir}`).toBe(t.version);
      }
    }
  });

  it('fails the build when another version is installed, naming package and both versions', async () => {
    const dir = fakeRoot({ 'node_modules/ink/package.json': manifest('ink', '6.9.1'), 'entry.js': 'export {};' });
    expect(await buildError(dir, 'entry.js', [byName('ink-output-caches').plugin(dir)])).toContain(
      'patches/ink-output-caches.mjs: ink 6.8.0 expected, found 6.9.1 in node_modules/ink — review the patch',
    );
    const sw = fakeRoot({
      'node_modules/string-width/package.json': manifest('string-width', '8.4.0'),
      'entry.js': 'export {};',
    });
    expect(await buildError(sw, 'entry.js', [byName('string-width-fast').plugin(sw)])).toContain(
      'patches/string-width-fast.mjs: string-width 8.3.0 expected, found 8.4.0',
    );
    const none = fakeRoot({ 'entry.js': 'export {};' });
    expect(await buildError(none, 'entry.js', [byName('yoga-no-fetch').plugin(none)])).toContain(
      'patches/yoga-no-fetch.mjs: yoga-layout 3.2.1 expected in node_modules/yoga-layout, found none',
    );
  });

  it('fails the build when a rewrite does not apply to the installed version, naming package and version', async () => {
    const file = 'node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
    const dir = fakeRoot({
      'node_modules/yoga-layout/package.json': manifest('yoga-layout', '3.2.1'),
      // The same version, but the loader reads differently (as if rebuilt by a newer Emscripten).
      [file]: 'function ya(){return "function"!=typeof fetch?1:2}\nexport default ya;\n',
      'entry.js': `import ya from './${file}';\nconsole.log(ya());\n`,
    });
    const message = await buildError(dir, 'entry.js', [byName('yoga-no-fetch').plugin(dir)]);
    expect(message).toContain(
      'patches/yoga-no-fetch.mjs: does not apply to yoga-layout 3.2.1 (dist/binaries/yoga-wasm-base64-esm.js: ' +
        '"function ya(){return w||\\"function\\"!=typeof fetch?" found nowhere, expected once) — review the patch',
    );
  });

  it('fails when a text to rewrite is there twice, or gone from any file of any patch', () => {
    const ink = byName('ink-output-caches');
    const target = ink.targets[0]!;
    const source = readFileSync(path.join(root, target.dir, 'build/output.js'), 'utf8');
    expect(() => ink.apply!(target, 'build/output.js', source)).not.toThrow();
    expect(() =>
      ink.apply!(
        target,
        'build/output.js',
        source.replace('caches = new OutputCaches();', 'caches = new OutputCaches();\ncaches = new OutputCaches();'),
      ),
    ).toThrow(
      'patches/ink-output-caches.mjs: does not apply to ink 6.8.0 ' +
        '(build/output.js: "caches = new OutputCaches();" found more than once, expected once)',
    );
    // Every rewrite of every patch applies to what is installed, and fails on a file emptied of it.
    const rewrites = all.flatMap((p) => (p.files ?? []).map((f) => ({ patch: p, ...f })));
    expect(rewrites.length).toBe(8);
    for (const { patch, target: t, file } of rewrites) {
      const text = readFileSync(path.join(root, t.dir, file), 'utf8');
      expect(patch.apply!(t, file, text)).not.toBe(text);
      expect(() => patch.apply!(t, file, '// nothing left to patch\n')).toThrow(
        `${`patches/${patch.name}.mjs`}: does not apply to ${t.name} ${t.version} (${file}: `,
      );
    }
  });

  it('fails the build when a file it patches is no longer part of the build', async () => {
    const dir = fakeRoot({
      'node_modules/yoga-layout/package.json': manifest('yoga-layout', '3.2.1'),
      'entry.js': 'export {};',
    });
    expect(await buildError(dir, 'entry.js', [byName('yoga-no-fetch').plugin(dir)])).toContain(
      'patches/yoga-no-fetch.mjs: yoga-layout 3.2.1 dist/binaries/yoga-wasm-base64-esm.js was not in the build, ' +
        'so the patch did not apply — review the patch',
    );
  });

  it('leaves out patches by name (OPSDECK_PATCHES_OFF), and refuses a name that is none', () => {
    expect((patchPlugins(root) as unknown[]).length).toBe(all.length);
    expect(
      (patchPlugins(root, { off: 'yoga-no-fetch, string-width-fast' }) as { name: string }[]).map((p) => p.name),
    ).toEqual(['ink-output-caches', 'ink-bounded-caches', 'grapheme-segmenter']);
    expect(() => patchPlugins(root, { off: 'yoga' })).toThrow(
      'patches: no patch named yoga ' +
        '(there are string-width-fast, ink-output-caches, ink-bounded-caches, grapheme-segmenter, yoga-no-fetch)',
    );
  });
});
