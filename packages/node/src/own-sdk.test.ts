/**
 * The "bring your own NodeSDK" recipe from docs/getting-started.md, run as written: Sightglass's counters,
 * gauges and histograms must reach Prometheus through a NodeSDK the application configured itself.
 */
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { CATALOG, createHistogramRecorder, createMetricGroup } from '@sightglass/core';
import { createPrometheusReader, startMetricsServer } from '@sightglass/prometheus';
import { startOtlpTraceHttpReceiver } from '@sightglass/test-kit';
import { afterEach, expect, it, vi } from 'vitest';
import { createMetricProducer } from './producer.js';
import { sightglassViews } from './views.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

it('works with a NodeSDK configured by the application, which traces from the OTEL_* variables', async () => {
  // The recipe's environment: NodeSDK reads the trace variables itself.
  const collector = await startOtlpTraceHttpReceiver();
  vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
  vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${collector.url}/v1/traces`);
  vi.stubEnv('OTEL_TRACES_SAMPLER', 'parentbased_always_on');
  vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');

  // Instrumented objects may exist before the SDK starts.
  const group = createMetricGroup();
  group.counter(CATALOG.cacheHits, { cache_name: 'early' }).add(2);

  // --- the recipe ---
  const prometheus = createPrometheusReader({ metricProducers: [createMetricProducer()] });
  const sdk = new NodeSDK({
    serviceName: 'my-service',
    metricReaders: [prometheus],
    views: sightglassViews(),
  });
  sdk.start();
  const server = await startMetricsServer({ port: 0, reader: prometheus });
  // --- end of the recipe ---

  createHistogramRecorder(CATALOG.requestDurationSeconds).record(12, {
    method: 'POST',
    route: '/v1/chat',
    status: '200',
  });
  const text = await (await fetch(server.url)).text();
  expect(text).toMatch(/^cache_hits_total\{cache_name="early",.*\} 2$/m);
  expect(text).toMatch(/^request_duration_seconds_bucket\{.*le="20"\} 1$/m);
  expect(text).toContain('service_name="my-service"');
  // Spans made through @opentelemetry/api (Sightglass's among them) go to the NodeSDK's tracer provider.
  trace.getTracer('my-service').startActiveSpan('POST /v1/chat', (span) => {
    trace.getTracer('my-service').startSpan('chat llama3.2').end();
    span.end();
  });
  group.dispose();
  await server.close();
  await sdk.shutdown(); // flushes the spans
  const spans = collector.spans();
  expect(spans.map((span) => span.name).sort()).toEqual(['POST /v1/chat', 'chat llama3.2']);
  expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
  await collector.close();
});
