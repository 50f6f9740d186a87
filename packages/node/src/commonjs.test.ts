import { fileURLToPath } from 'node:url';
import { requireFromCommonJs } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('CommonJS applications', () => {
  it.each([
    ['@sightglass/node', 'startTelemetry'],
    ['@sightglass/core', 'CATALOG'],
    ['@sightglass/prometheus', 'startMetricsServer'],
  ])('can require(%s) on Node >= 20.19', (name, exported) => {
    expect(requireFromCommonJs(name, packageDir)).toContain(exported);
  });
});
