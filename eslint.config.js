// ESLint: typescript-eslint's recommended rules on the sources, tests and configs; formatting is Prettier's
// (eslint-config-prettier turns off every rule it would fight). `npm run lint` runs both.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'bench/perf/.build/', '.anvil-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  { languageOptions: { globals: { ...globals.node } } },
  // The dashboard's page modules run in the browser.
  { files: ['platform/dashboard/web/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    rules: {
      // Unused names fail the lint as they fail tsc (noUnusedLocals); a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // CommonJS configs (dependency-cruiser's) may require().
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
