/**
 * The "bring your own NodeSDK" recipe from docs/getting-started.md, run as written: Sightglass's counters,
 * gauges and histograms must reach Prometheus through a NodeSDK the application configured itself.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { CATALOG, createMetricGroup, histogramRecorder } from '@sightglass/core';
import { createPrometheusReader, startMetricsServer } from '@sightglass/prometheus';
import { expect, it } from 'vitest';
import { sightglassMetricProducer } from './producer.js';
import { sightglassViews } from './views.js';

it('works with a NodeSDK configured by the application', async () => {
  // Instrumented objects may exist before the SDK starts.
  const group = createMetricGroup();
  group.counter(CATALOG.cacheHits, { cache_name: 'early' }).add(2);

  // --- the recipe ---
  const prometheus = createPrometheusReader({ metricProducers: [sightglassMetricProducer()] });
  const sdk = new NodeSDK({
    serviceName: 'my-service',
    metricReaders: [prometheus],
    views: sightglassViews(),
  });
  sdk.start();
  const server = await startMetricsServer({ port: 0, reader: prometheus });
  // --- end of the recipe ---

  histogramRecorder(CATALOG.requestDurationSeconds).record(12, {
    method: 'POST',
    route: '/v1/chat',
    status: '200',
  });
  const text = await (await fetch(server.url)).text();
  expect(text).toMatch(/^cache_hits_total\{cache_name="early",.*\} 2$/m);
  expect(text).toMatch(/^request_duration_seconds_bucket\{.*le="20"\} 1$/m);
  expect(text).toContain('service_name="my-service"');
  group.dispose();
  await server.close();
  await sdk.shutdown();
});
