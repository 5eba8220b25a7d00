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
    hookTimeout: 60_000,
  },
});
