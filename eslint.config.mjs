// ESLint: correctness rules (style is Prettier's; see prettier.config.mjs). `npm run lint`.
// Type-aware rules only where they are cheap and catch real bugs here: unawaited promises in the
// extension and the store (a write whose failure nobody sees), and misused promises in callbacks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'bench/.cache/**', 'test-results/**', 'test/fixtures/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code (see DESIGN.md).' }] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  // Only src/core is VS Code-free.
  {
    files: [
      'src/vscode/**',
      'src/extension.ts',
      'test/integration/**',
      'test/integration-untrusted/**',
      'test/e2e/**',
      'test/electron/**',
      'test/harness/**',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The webview is browser code: it may import only src/protocol (checked by its own tsconfig and boundaries.test.ts).
  {
    files: ['src/webview/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/core/**', '**/vscode/**', 'node:*'], message: 'The webview imports only src/protocol.' }] },
      ],
    },
  },
  // Tests: chai-less node:assert style; non-null assertions on fixtures are fine.
  // (`import x = require()` and require() of a module path chosen at run time are how the harness loads mocha and the code under test.)
  { files: ['test/**'], rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        setImmediate: 'readonly',
      },
    },
  },
);
