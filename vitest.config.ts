import { defineConfig } from 'vitest/config';

// Tests start real servers and child processes on loopback; two cores means few workers and
// generous per-test timeouts (a timeout here is a hang detector, never a performance assertion).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
