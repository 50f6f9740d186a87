/**
 * Canary of otel-sdk-metrics-internals.ts: a MetricReader given producers through the experimental
 * `metricProducers` option collects what they produce with the SDK's own metrics. A failure means
 * `@opentelemetry/sdk-metrics` changed the option: an application's own producers would drop out of the
 * scrape. Read otel-sdk-metrics-internals.ts and docs/upstream-internals.md.
 */
import { createRequire } from 'node:module';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { fixedMetricProducer } from '@sightglass/test-kit';
import { expect, it } from 'vitest';
import { withMetricProducers } from './otel-sdk-metrics-internals.js';
import { PrometheusReader } from './reader.js';

const require = createRequire(import.meta.url);
const SDK = `@opentelemetry/sdk-metrics ${
  (require('@opentelemetry/sdk-metrics/package.json') as { version: string }).version
}`;

const producer = fixedMetricProducer({ description: 'from a producer' });

it(`collects what a producer given as metricProducers produces, with the SDK's metrics (${SDK})`, async () => {
  const reader = new PrometheusReader({ metricProducers: [producer] });
  const provider = new MeterProvider({ readers: [reader] });
  try {
    provider.getMeter('sdk').createCounter('jobs').add(1);
    const { resourceMetrics } = await reader.collect();
    const scopes = resourceMetrics.scopeMetrics.map((scope) => scope.scope.name).sort();
    expect(scopes, `${SDK} no longer collects what metricProducers produce`).toEqual([
      'canary-producer',
      'sdk',
    ]);
    expect(await reader.render()).toMatch(/^produced\{otel_scope_name="canary-producer"\} 7$/m);
  } finally {
    await provider.shutdown();
  }
});

it('leaves options without producers as they are', () => {
  const options = {};
  expect(withMetricProducers(options, [])).toBe(options);
});
