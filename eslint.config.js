// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * Layers, lowest first (one folder of src/ each). A file may import from the layers before its
 * own, never from a later one nor from a peer in its own tier. Every folder of src/ must be
 * listed. The zones below are derived from this list and match resolved paths, at any depth.
 */
const LAYERS = [
  ['util'],
  ['errors'],
  ['ir'],
  ['source'],
  ['compile', 'verify', 'tools', 'store'],
  ['ledger'],
  ['engine'],
  ['report'],
  ['workspace'],
  ['server', 'mcp'],
  ['cli'],
];
/** Layers that do no I/O. */
const PURE = ['ir', 'source', 'compile', 'verify'];
/** Database drivers: only a store backend (`src/store/<backend>/`) may import one. */
const DRIVERS = ['better-sqlite3', 'pg'];
/** The store backends. */
const BACKENDS = ['sqlite', 'postgres'];

const listed = LAYERS.flat();
for (const dir of readdirSync(join(import.meta.dirname, 'src'), { withFileTypes: true })) {
  if (dir.isDirectory() && !listed.includes(dir.name)) {
    throw new Error(`eslint.config.js: src/${dir.name} is in no layer; add it to LAYERS`);
  }
}

/** The folders `layer` must not import: its peers and every later tier. */
function forbiddenFor(layer) {
  const tier = LAYERS.findIndex((t) => t.includes(layer));
  return LAYERS.slice(tier)
    .flat()
    .filter((l) => l !== layer);
}

const layerOrder = LAYERS.map((t) => (t.length === 1 ? t[0] : `{${t.join(', ')}}`)).join(' < ');
const layerZones = listed
  .map((layer) => ({
    target: `./src/${layer}`,
    from: forbiddenFor(layer).map((l) => `./src/${l}`),
    message: `Layer '${layer}' must not import this layer (layers: ${layerOrder}; see eslint.config.js).`,
  }))
  .filter((zone) => zone.from.length > 0);

const pureNode = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:net',
  'node:http',
  'fs',
  'child_process',
];

/** The `no-restricted-imports` paths of files in `layer` (a store backend is not `store`). */
function bannedPackages(layer) {
  return [
    ...(PURE.includes(layer)
      ? pureNode.map((name) => ({ name, message: `Layer '${layer}' is pure: no I/O.` }))
      : []),
    ...(layer === 'store/<backend>'
      ? []
      : DRIVERS.map((name) => ({
          name,
          message: 'Only a store backend (src/store/<backend>/) imports a database driver.',
        }))),
  ];
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test-artifacts/**', 'web/dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['src/**/*.ts'] })),
  {
    files: ['src/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Resolves this project's `./x.js` imports to `./x.ts` (for no-cycle and the layer zones).
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'test',
                'it',
                'describe',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'import-x/no-cycle': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use a string-literal union or an as-const object.',
        },
        { selector: 'ExportAllDeclaration', message: 'Export by name.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  ...listed.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: bannedPackages(layer) }] },
  })),
  {
    files: BACKENDS.map((b) => `src/store/${b}/**/*.ts`),
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: bannedPackages('store/<backend>') }] },
  },
  {
    // The Runboard web UI (React): its own TypeScript project; talks to the server only over HTTP.
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: ['web/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '../../src/*', 'node:*'],
              message:
                'The web UI talks to the server over HTTP only; it must not import server code.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use a string-literal union or an as-const object.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
