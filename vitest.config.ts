import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    // Integration and e2e tests each start their own etcd and servers; two cores: keep it modest.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
