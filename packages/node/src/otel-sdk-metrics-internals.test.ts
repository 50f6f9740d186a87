/**
 * Canary of otel-sdk-metrics-internals.ts on the SDK line installed here (2.x; the 3.x line exports through
 * the same option in otlp-exemplars-sdk3.test.ts): a periodic reader given producers through the
 * experimental `metricProducers` option exports their scope metrics, their data points as they were made.
 * A failure means `@opentelemetry/sdk-metrics` changed the option: Sightglass's own metrics would no longer
 * reach OTLP. Read otel-sdk-metrics-internals.ts and docs/upstream-internals.md.
 */
import { createRequire } from 'node:module';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { fixedMetricProducer } from '@sightglass/test-kit';
import { expect, it } from 'vitest';
import { withMetricProducers } from './otel-sdk-metrics-internals.js';

const require = createRequire(import.meta.url);
const SDK = `@opentelemetry/sdk-metrics ${
  (require('@opentelemetry/sdk-metrics/package.json') as { version: string }).version
}`;

const point = { startTime: [0, 0], endTime: [0, 0], attributes: {}, value: 7, exemplars: ['kept'] };
const producer = fixedMetricProducer({ point });

it(`exports what a producer given as metricProducers collects, its points untouched (${SDK})`, async () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader(
    withMetricProducers({ exporter, exportIntervalMillis: 60_000 }, [producer]),
  );
  const provider = new MeterProvider({ readers: [reader] });
  try {
    await reader.forceFlush();
    const scopes = exporter.getMetrics().flatMap((resourceMetrics) => resourceMetrics.scopeMetrics);
    const produced = scopes.find((scope) => scope.scope.name === 'canary-producer');
    expect(produced, `${SDK} no longer exports what metricProducers collect`).toBeDefined();
    expect(produced?.metrics[0]?.dataPoints[0], `${SDK} copies the data points of producers`).toBe(point);
  } finally {
    await provider.shutdown();
  }
});

it('leaves options without producers as they are', () => {
  const options = { exportIntervalMillis: 1 };
  expect(withMetricProducers(options, [])).toBe(options);
});
