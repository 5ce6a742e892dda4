import { defineConfig } from 'vitest/config';

// Node resolves `graphql` to its CommonJS build (the package has no exports map), and so do Apollo Server and
// graphql-jit at run time; Vite would pick index.mjs for our sources: a second graphql whose errors and types
// are not the ones Apollo checks with instanceof. Tests load the one production loads.
export const oneGraphql = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

export default defineConfig({
  resolve: oneGraphql,
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
