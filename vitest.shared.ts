import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every package uses: tests beside the code, v8 coverage over the package's
 * own sources, and the 90% line threshold the project holds each package to.
 */
export const sharedConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    // The JSON report feeds the pass/fail/skip totals that .ci/run prints (scripts/test-summary.mjs).
    // scripts/test-node-lines.ts names another file per Node.js line.
    reporters: [
      'default',
      ['json', { outputFile: process.env.SIGHTGLASS_VITEST_REPORT ?? 'test-results/vitest.json' }],
    ],
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/*.bench.ts', 'src/test-support/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 90 },
    },
  },
});
