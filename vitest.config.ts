import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Yoga and Pothos load graphql's CommonJS build; make our code load the same one ("another realm" otherwise).
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/kafkaSetup.ts'],
    testTimeout: 30_000,
    // One file at a time: several tests measure time (makespans, latencies, deadlines) and start
    // server processes, a broker and PostgreSQL clusters; on 2 cores, files in parallel skew them.
    fileParallelism: false,
    hookTimeout: 60_000,
  },
});
