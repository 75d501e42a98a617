// One linter for the whole tree. Two rules matter most: the layer boundary (probes, actions,
// state, engine, config and the console controllers in src/app never import ink or react, nor
// src/ui) and no floating promises.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// dockerode is a devDependency: the tests' independent client. Runtime code uses src/docker.
const noDockerode = { name: 'dockerode', message: 'Use src/docker (our Engine API client); dockerode is for tests only.' };
// zod only through src/util/zod.ts: zod/mini with its English messages (classic zod costs start-up time).
const noZod = { group: ['zod', 'zod/*'], message: "Use `import * as z from '../util/zod.js'` (zod/mini with English messages)." };

const uiImports = {
  paths: [noDockerode],
  patterns: [
    noZod,
    { group: ['ink', 'ink/*', 'react', 'react/*', 'ink-*', '@inkjs/*'], message: 'Only src/ui may import ink or react (layer boundary).' },
    { group: ['**/ui/*', '../ui/*', '../../ui/*'], message: 'Lower layers must not import from src/ui.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'scripts/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // ICU stays unloaded in the console (about 12 MiB of RSS measured): src/util/text.ts instead.
    files: ['src/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['localeCompare', 'toLocaleString', 'toLocaleTimeString', 'toLocaleDateString'].map((property) => ({ property, message: 'Loads ICU data (~12 MiB RSS): use compareText / groupDigits / clockTime from src/util/text.ts.' })),
      ],
      'no-restricted-globals': ['error', { name: 'Intl', message: 'Loads ICU data (~12 MiB RSS): use src/util/text.ts.' }],
      'no-restricted-imports': ['error', { paths: [noDockerode], patterns: [noZod] }],
    },
  },
  {
    files: ['src/probes/**', 'src/docker/**', 'src/util/**', 'src/actions/**', 'src/state/**', 'src/app/**', 'src/engine/**', 'src/config/**', 'src/sandbox/**', 'src/logs/**', 'src/backup/**', 'src/restore/**'],
    rules: { 'no-restricted-imports': ['error', uiImports] },
  },
  {
    files: ['src/util/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { ...uiImports, patterns: uiImports.patterns.filter((p) => p !== noZod) }] },
  },
);
