// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const configs = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/', 'dist-bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The pure core computes; it never does I/O nor reads the clock (`now` is an argument).
    // test/unit/architecture.test.ts checks the same list of folders against the import graph.
    files: [
      'src/plan/**/*.ts',
      'src/drift/**/*.ts',
      'src/review/**/*.ts',
      'src/jit/**/*.ts',
      'src/import/**/*.ts',
      'src/init/**/*.ts',
      'src/doctor/**/*.ts',
      // apply/ is the engine (files, locks, the writer port); what drift shares with it is pure.
      'src/apply/records.ts',
      'src/apply/target-state.ts',
    ],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:fs',
            'node:fs/promises',
            'node:http',
            'node:https',
            'node:net',
            'node:os',
            'node:child_process',
            'fs',
            'fs/promises',
            'http',
            'child_process',
            'undici',
            'octokit',
            'simple-git',
          ],
          patterns: [
            '**/freshbooks/**',
            '**/github/**',
            '**/git/**',
            '**/emulator/**',
            '**/flows/**',
            '**/cli/**',
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Take `now` as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Take `now` as an argument.',
        },
      ],
    },
  },
);

// This file lives in test/ so that the top level stays as designed. It is passed with `--config`
// (see package.json), and ESLint then resolves every pattern above from the working directory,
// the project root.
export default configs;
