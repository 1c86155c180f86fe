// ESLint (flat config) with typescript-eslint. `npm run lint`; not yet part of `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/generated/', 'models/', 'bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // providers are typed from the generated model; `any` stays where the model is dynamic
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['error', { max: 500, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // plain JavaScript run by Node: the scripts, the Lambda bootstraps, the package fixtures
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: Object.fromEntries(['process', 'console', 'URL', 'Buffer', 'structuredClone', 'setInterval', 'setTimeout', 'clearTimeout', 'fetch', 'require', 'module', '__dirname']
        .map((g) => [g, 'readonly'])),
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // a test file holds the cases of one behaviour; some are long tables
    files: ['test/**'],
    rules: { 'max-lines': ['error', { max: 1000 }] },
  },
);
