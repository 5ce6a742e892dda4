import { defineConfig } from 'vitest/config';

// The contract scenarios against real Cinder and Manila (scripts/openstack/start.sh must have run).
export default defineConfig({
  test: {
    include: ['test/openstack/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
