// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * Layer rules: imports flow one way.
 * util, errors <- ir <- {source, compile, verify, tools, store} <- ledger <- engine <- report
 *   <- workspace <- {server, mcp, cli}
 * Each entry lists the folders a layer must NOT import.
 */
const edges = ['server', 'mcp', 'cli'];
const layers = {
  util: [
    'errors',
    'ir',
    'source',
    'compile',
    'verify',
    'tools',
    'store',
    'ledger',
    'engine',
    'report',
    'workspace',
    ...edges,
  ],
  errors: [
    'ir',
    'source',
    'compile',
    'verify',
    'tools',
    'store',
    'ledger',
    'engine',
    'report',
    'workspace',
    ...edges,
  ],
  ir: [
    'source',
    'compile',
    'verify',
    'tools',
    'store',
    'ledger',
    'engine',
    'report',
    'workspace',
    ...edges,
  ],
  source: [
    'compile',
    'verify',
    'tools',
    'store',
    'ledger',
    'engine',
    'report',
    'workspace',
    ...edges,
  ],
  compile: ['verify', 'tools', 'store', 'ledger', 'engine', 'report', 'workspace', ...edges],
  verify: ['compile', 'tools', 'store', 'ledger', 'engine', 'report', 'workspace', ...edges],
  tools: ['compile', 'verify', 'store', 'ledger', 'engine', 'report', 'workspace', ...edges],
  store: ['compile', 'verify', 'tools', 'engine', 'report', 'workspace', ...edges],
  ledger: ['compile', 'tools', 'store', 'engine', 'report', 'workspace', ...edges],
  engine: ['report', 'workspace', ...edges],
  report: ['workspace', ...edges],
  workspace: [...edges],
  server: ['cli', 'mcp'],
  mcp: ['cli', 'server'],
};

const pureNode = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:net',
  'node:http',
  'fs',
  'child_process',
];

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
  ...Object.entries(layers).map(([layer, banned]) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: banned.flatMap((b) => [`../${b}/*`, `../${b}`, `../../${b}/*`, `../../${b}`]),
              message: `Layer '${layer}' must not import this layer (see eslint.config.js).`,
            },
          ],
          paths: ['ir', 'compile', 'verify', 'source'].includes(layer)
            ? pureNode.map((name) => ({ name, message: `Layer '${layer}' is pure: no I/O.` }))
            : [],
        },
      ],
    },
  })),
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
