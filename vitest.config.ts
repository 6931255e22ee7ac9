import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites share the local PostgreSQL and MariaDB servers; one file at a time keeps them from
    // trampling each other's tables and keeps the 2-core machine responsive for dev servers.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
