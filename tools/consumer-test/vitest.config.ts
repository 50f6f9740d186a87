import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// Whole npm installs from the registry: one combination after another, with time for each.
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { testTimeout: 120_000, hookTimeout: 600_000, fileParallelism: false } }),
);
