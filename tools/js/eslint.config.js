// @ts-check
// ESLint for the front end (scripts/check-js runs it from the repo root with --config):
// ui/js runs in the kiosk's web view as ES modules; tests/js, this folder and tools/bundle run in Node.

import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['ui/js/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['tests/js/**/*.js', 'tools/js/**/*.js', 'tools/bundle/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    rules: {
      // `== null` is the one loose comparison used: null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-shadow': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-implicit-coercion': ['error', { allow: ['!!'] }],
      'no-param-reassign': 'off',
      'no-alert': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      // Issue #12: a function longer than this says why it is, in the comment that allows it.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    ignores: ['**/node_modules/**'],
  },
];
