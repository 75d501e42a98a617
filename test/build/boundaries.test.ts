// The folder DAG of eslint.config.js, applied to code that imports against it: the lint must fail
// and name both folders; an import along the arrows must pass. Runs the repository's own config
// block (not a copy), without the type-aware rules, on text linted as if it lived in src/.
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
// Loaded by path: eslint.config.js is plain JavaScript without type declarations.
const configFile = path.join(root, 'eslint.config.js');
const { default: config } = (await import(configFile)) as { default: Linter.Config[] };
const blocks = config.filter(
  (b) => b.rules && ('boundaries/dependencies' in b.rules || 'import-x/no-cycle' in b.rules),
);

async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } }, ...blocks],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the folder DAG is a lint rule', () => {
  it('refuses an import that points up the layers, naming both folders', async () => {
    expect(
      await lint('src/plan/x.ts', "import { levelColor } from '../ui/theme.js';\nexport const c = levelColor;\n"),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: src\/plan may not import src\/ui/)]);
    expect(
      await lint(
        'src/ui/x.ts',
        "import type { StatusReport } from '../cli/status.js';\nexport type S = StatusReport;\n",
      ),
    ).toEqual([expect.stringMatching(/src\/ui may not import src\/cli/)]);
    expect(
      await lint(
        'src/probes/x.ts',
        "import { scanCatalog } from '../backup/catalog.js';\nexport const s = scanCatalog;\n",
      ),
    ).toEqual([expect.stringMatching(/src\/probes may not import src\/backup/)]);
  });

  it('accepts imports along the arrows', async () => {
    expect(
      await lint(
        'src/restore/x.ts',
        "import { scanCatalog } from '../backup/catalog.js';\n" +
          "import { executePlan } from '../plan/execute.js';\n" +
          'export const s = [scanCatalog, executePlan];\n',
      ),
    ).toEqual([]);
    expect(
      await lint('src/ui/x.ts', "import { createProbes } from '../app/probes.js';\nexport const p = createProbes;\n"),
    ).toEqual([]);
  });
});
