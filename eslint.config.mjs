// ESLint for the whole project (run by `npm test` and `npm run lint`); formatting is Prettier's.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".venv/", ".broker/", ".setup/", "reports/", ".monitoring/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Before the project's rules: it turns off formatting rules, and max-len is re-enabled below on purpose.
  prettier,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setImmediate: "readonly",
        __dirname: "readonly",
        require: "readonly",
        module: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      eqeqeq: ["error", "always"],
      "prefer-const": "error",
      // Prose in code wraps too: long sentences are split into concatenated lines.
      "max-len": ["error", { code: 180, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // The library: small files, no dev dependency, nothing from dist/scripts.
    files: ["lib/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 450 }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "playwright-core", message: "A dev dependency: lib/ must work without it (test helpers live in test/support/)." },
          ],
          patterns: [{ group: ["**/dist/**", "**/scripts/**"], message: "lib/ must not depend on commands or compiled output." }],
        },
      ],
    },
  },
  {
    // Browser-side code in the test helpers runs in Chromium.
    files: ["test/support/**/*.ts"],
    languageOptions: { globals: { document: "readonly", window: "readonly" } },
  },
);
