import { defineConfig } from 'vitest/config';

// The contract scenarios against real Cinder and Manila (scripts/openstack/start.sh must have run).
// Node resolves `graphql` to its CommonJS build (the package has no exports map), and so do Apollo Server and
// graphql-jit at run time; Vite would pick index.mjs for our sources: a second graphql whose errors and types
// are not the ones Apollo checks with instanceof. Tests load the one production loads.
const oneGraphql = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

export default defineConfig({
  resolve: oneGraphql,
  test: {
    include: ['test/openstack/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
