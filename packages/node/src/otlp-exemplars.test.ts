/**
 * Exemplars over OTLP in the export `startTelemetry()` sets up and in the own-NodeSDK recipe: a histogram
 * value recorded in a sampled span reaches a real receiver (decoded with the official definitions) with its
 * trace id and span id, over each protocol; a collector that is down holds nothing up.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceFlags, trace } from '@opentelemetry/api';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { CATALOG, createHistogramRecorder, recordWithSpan } from '@sightglass/core';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpHttpReceiver } from '@sightglass/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OtlpProtocol } from './options.js';
import { createOtlpMetricExporter } from './otlp.js';
import { createMetricProducer } from './producer.js';
import { startTelemetry } from './start-telemetry.js';
import {
  metricsOf,
  OTHER_SPAN_ID,
  OTHER_TRACE_ID,
  plainExemplars,
  pointOfRoute,
  SPAN_ID,
  TRACE_ID,
} from './test-support/exemplar-fixtures.js';
import { sightglassViews } from './views.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

/** A span as a sampled (or not) parent propagated from upstream looks. */
function spanOf(traceId: string, spanId: string, sampled: boolean) {
  return trace.wrapSpanContext({
    traceId,
    spanId,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  });
}

/** Records a request in a sampled span, one in a span not sampled, and one without a span, on `route`. */
function recordRequests(route: string): void {
  const durations = createHistogramRecorder(CATALOG.requestDurationSeconds).bind({
    method: 'GET',
    route,
    status: '200',
  });
  recordWithSpan(durations, 0.042, spanOf(TRACE_ID, SPAN_ID, true));
  recordWithSpan(durations, 0.043, spanOf(OTHER_TRACE_ID, OTHER_SPAN_ID, false));
  recordWithSpan(durations, 3.5, undefined);
}

describe.each([
  ['http/protobuf', startOtlpHttpReceiver],
  ['http/json', startOtlpHttpReceiver],
  ['grpc', startOtlpGrpcReceiver],
] as const)('startTelemetry() exporting over %s', (protocol, startReceiver) => {
  it("sends each histogram bucket's exemplar with its trace and span id", async () => {
    const receiver: OtlpReceiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const telemetry = await startTelemetry({
      env: {},
      serviceName: 'exemplar-test',
      runtimeMetrics: false,
      prometheus: false,
      otlp: { url: receiver.url, protocol, intervalMs: 60_000, timeoutMs: 2000 },
    });
    cleanups.push(() => telemetry.shutdown());
    const before = Date.now();
    recordRequests(`/e2e/${protocol}`);
    await telemetry.forceFlush();

    const [first] = receiver.received;
    expect(first?.request.resourceMetrics).toHaveLength(1);
    expect(first?.request.resourceMetrics[0]?.resource?.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'exemplar-test' },
    });
    const point = pointOfRoute(first!.request, `/e2e/${protocol}`);
    expect(Number(point?.count)).toBe(3);
    const exemplars = plainExemplars(point);
    // Only the sampled span's measurement: one not sampled, or without a span, is counted and no more.
    expect(exemplars).toEqual([
      { value: 0.042, timeMs: expect.any(Number), traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    expect(exemplars[0]!.timeMs).toBeGreaterThanOrEqual(before);
    expect(exemplars[0]!.timeMs).toBeLessThanOrEqual(Date.now());
    // The histogram is sent once, with the other metrics beside it.
    const names = first!.request.resourceMetrics
      .flatMap((resource) => resource.scopeMetrics)
      .flatMap((scope) => scope.metrics.map((metric) => metric.name));
    expect(names.filter((name) => name === 'request_duration_seconds')).toHaveLength(1);
  });
});

describe('exemplars with a collector that is down', () => {
  let app: Server | undefined;
  afterEach(() => app?.close());

  it('hold up no request, and flush and shutdown resolve', async () => {
    const receiver = await startOtlpHttpReceiver();
    const url = receiver.url;
    await receiver.close(); // nothing listens there any more
    const telemetry = await startTelemetry({
      env: {},
      runtimeMetrics: false,
      prometheus: false,
      shutdownTimeoutMs: 1000,
      otlp: { url, intervalMs: 60_000, timeoutMs: 1000 },
    });
    const durations = createHistogramRecorder(CATALOG.requestDurationSeconds);
    app = createServer((_request, response) => {
      const bound = durations.bind({ method: 'GET', route: '/down', status: '200' });
      recordWithSpan(bound, 0.001, spanOf(TRACE_ID, SPAN_ID, true));
      response.end('ok');
    });
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const flushing = telemetry.forceFlush();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(appUrl).then((r) => r.text())));
    expect(answers.every((answer) => answer === 'ok')).toBe(true);
    await expect(flushing).resolves.toBeUndefined();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });
});

describe('createOtlpMetricExporter with your own NodeSDK', () => {
  it('sends the exemplars that the NodeSDK-made OTLP exporter leaves out', async () => {
    const receiver = await startOtlpHttpReceiver();
    cleanups.push(() => receiver.close());
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    // The exporter reads the standard variables itself, as OpenTelemetry's does.
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `${receiver.url}/v1/metrics`);
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'x-api-key=from-env');

    const sdk = new NodeSDK({
      serviceName: 'my-service',
      metricReaders: [
        new PeriodicExportingMetricReader({
          exporter: createOtlpMetricExporter(),
          exportIntervalMillis: 60_000,
          metricProducers: [createMetricProducer()],
        }),
      ],
      views: sightglassViews(),
    });
    sdk.start();
    recordRequests('/own-sdk');
    await sdk.shutdown(); // exports once more

    const [first] = receiver.received;
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.headers['x-api-key']).toBe('from-env');
    expect(plainExemplars(pointOfRoute(first!.request, '/own-sdk'))).toEqual([
      { value: 0.042, timeMs: expect.any(Number), traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    expect(metricsOf(first!.request).get('request_duration_seconds')?.unit).toBe('s');
  });

  it.each([
    'http/protobuf',
    'grpc',
  ] as const)('takes the protocol, endpoint and headers as options (%s)', async (protocol) => {
    const receiver = await (protocol === 'grpc' ? startOtlpGrpcReceiver() : startOtlpHttpReceiver());
    cleanups.push(() => receiver.close());
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json'); // an option wins over the variable
    const exporter = createOtlpMetricExporter({
      protocol: protocol as OtlpProtocol,
      url: protocol === 'grpc' ? receiver.url : `${receiver.url}/v1/metrics`,
      headers: { 'x-api-key': 'secret' },
      timeoutMs: 2000,
    });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 60_000,
      metricProducers: [createMetricProducer()],
    });
    const sdk = new NodeSDK({ serviceName: 'options', metricReaders: [reader] });
    sdk.start();
    recordRequests(`/options/${protocol}`);
    await reader.forceFlush();
    await sdk.shutdown();
    const [first] = receiver.received;
    expect(String(first?.headers['x-api-key'])).toBe('secret'); // gRPC metadata over gRPC
    expect(plainExemplars(pointOfRoute(first!.request, `/options/${protocol}`))).toHaveLength(1);
  });

  it('refuses an unknown protocol in OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'carrier-pigeon');
    expect(() => createOtlpMetricExporter()).toThrow(/OTEL_EXPORTER_OTLP_\(METRICS_\)PROTOCOL/);
  });
});
