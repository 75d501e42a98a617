// One linter for the whole tree. The rules that matter most: the folders of src/ import each
// other one way only (the DAG below, also stated in the README's architecture paragraph), no
// import cycle between files, only src/ui imports ink or react, and no floating promises.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import boundaries from 'eslint-plugin-boundaries';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The folders of src/, bottom to top: each may import only the folders it lists (and itself).
// util → config → present, docker → plan (the kernel every action builds on) → probes, actions,
// logs → engine → backup → restore → state → app (the composition root) → ui → cli.

// What the composition root may build on: every folder but the sandbox, the UI and the CLI.
const BELOW_APP = [
  'util',
  'config',
  'present',
  'docker',
  'plan',
  'probes',
  'actions',
  'logs',
  'engine',
  'backup',
  'restore',
  'state',
];
const LAYERS = {
  util: [],
  config: ['util'],
  present: ['util', 'config'],
  docker: ['util', 'config'],
  plan: ['util', 'config', 'present'],
  probes: ['util', 'config', 'present', 'docker'],
  actions: ['util', 'config', 'present', 'docker', 'plan'],
  logs: ['util', 'config', 'present', 'docker', 'plan'],
  engine: ['util', 'config', 'probes'],
  backup: ['util', 'config', 'present', 'docker', 'plan', 'probes'],
  restore: ['util', 'config', 'present', 'docker', 'plan', 'probes', 'actions', 'backup'],
  sandbox: ['util', 'docker'],
  state: ['util', 'config', 'present', 'plan', 'probes', 'engine'],
  app: BELOW_APP,
  ui: [...BELOW_APP, 'app'],
  cli: [...BELOW_APP, 'app', 'ui', 'sandbox'],
};

// dockerode is a devDependency: the tests' independent client. Runtime code uses src/docker.
const noDockerode = {
  name: 'dockerode',
  message: 'Use src/docker (our Engine API client); dockerode is for tests only.',
};
// zod only through src/util/zod.ts: zod/mini with its English messages (classic zod costs start-up time).
const noZod = {
  group: ['zod', 'zod/*'],
  message: "Use `import * as z from '../util/zod.js'` (zod/mini with English messages).",
};

const uiImports = {
  paths: [noDockerode],
  patterns: [
    noZod,
    {
      group: ['ink', 'ink/*', 'react', 'react/*', 'ink-*', '@inkjs/*'],
      message: 'Only src/ui may import ink or react (layer boundary).',
    },
    { group: ['**/ui/*', '../ui/*', '../../ui/*'], message: 'Lower layers must not import from src/ui.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/**/fixtures/**'] },
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
    // Plain JavaScript outside the TypeScript project (build scripts, patches, the entry point,
    // this file): linted, but without the rules that need type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    // Prettier formats the tree at 120 columns (`npm run format`); this holds the strings and
    // comments it does not break to the same width.
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 120, tabWidth: 2 }] },
  },
  {
    // The folder DAG: an import against it fails the lint, naming both folders.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'boundaries/elements': [...Object.keys(LAYERS).map((type) => ({ type, pattern: `src/${type}` }))],
      'boundaries/include': ['src/**/*'],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            'src/{{from.type}} may not import src/{{to.type}}: folders import one way' +
            ' (see LAYERS in eslint.config.js and the README architecture)',
          policies: [
            ...Object.entries(LAYERS).map(([type, allowed]) => ({
              from: { element: { type } },
              allow: { to: { element: { types: { anyOf: [type, ...allowed] } } } },
            })),
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
      // No import cycle between files either (type-only imports count: a cycle of types is still
      // two files that cannot be read one without the other).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // ICU stays unloaded in the console (about 12 MiB of RSS measured): src/util/text.ts instead.
    files: ['src/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['localeCompare', 'toLocaleString', 'toLocaleTimeString', 'toLocaleDateString'].map((property) => ({
          property,
          message: 'Loads ICU data (~12 MiB RSS): use compareText / groupDigits / clockTime from src/util/text.ts.',
        })),
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Intl', message: 'Loads ICU data (~12 MiB RSS): use src/util/text.ts.' },
      ],
      'no-restricted-imports': ['error', { paths: [noDockerode], patterns: [noZod] }],
    },
  },
  {
    // Everything below src/ui (src/app included) stays free of ink and react.
    files: [
      'src/plan/**',
      'src/present/**',
      'src/probes/**',
      'src/docker/**',
      'src/util/**',
      'src/actions/**',
      'src/state/**',
      'src/app/**',
      'src/engine/**',
      'src/config/**',
      'src/sandbox/**',
      'src/logs/**',
      'src/backup/**',
      'src/restore/**',
    ],
    rules: { 'no-restricted-imports': ['error', uiImports] },
  },
  {
    files: ['src/util/zod.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...uiImports, patterns: uiImports.patterns.filter((p) => p !== noZod) }],
    },
  },
);
