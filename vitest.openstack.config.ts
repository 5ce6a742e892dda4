import { defineConfig } from 'vitest/config';
import { oneGraphql } from './vitest.config.js';

// The contract scenarios against real Cinder and Manila (scripts/openstack/start.sh must have run); they load
// graphql as production does, like the rest of the suite (see vitest.config.ts).
export default defineConfig({
  resolve: oneGraphql,
  test: {
    include: ['test/openstack/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
