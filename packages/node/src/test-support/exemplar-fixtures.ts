/** What the exemplar tests share: recording exemplars in Sightglass's registry and reading them back decoded. */
import { createRequire } from 'node:module';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { CATALOG, createHistogramRecorder } from '@sightglass/core';
import {
  createTestMeter,
  type OtlpDataPoint,
  type OtlpExportRequest,
  type OtlpMetric,
} from '@sightglass/test-kit';
import type { MetricsSerializer } from '../exemplar-serializer.js';
import { createMetricProducer } from '../producer.js';

/** A W3C trace id and span id, as a sampled span's context has them. */
export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';
export const OTHER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const OTHER_SPAN_ID = 'b7ad6b7169203331';

/** OpenTelemetry's own serializers, from where the installed exporter loads them. */
export function otelSerializers(): { protobuf: MetricsSerializer; json: MetricsSerializer } {
  const fromExporter = createRequire(
    createRequire(import.meta.url).resolve('@opentelemetry/exporter-metrics-otlp-proto'),
  );
  const transformer = fromExporter('@opentelemetry/otlp-transformer') as {
    ProtobufMetricsSerializer: MetricsSerializer;
    JsonMetricsSerializer: MetricsSerializer;
  };
  return { protobuf: transformer.ProtobufMetricsSerializer, json: transformer.JsonMetricsSerializer };
}

/**
 * What one export of a MeterProvider with Sightglass's producer hands its exporter: the SDK's resource, an
 * application counter of its own meter, and Sightglass's scope.
 */
export async function collectWithProducer(): Promise<ResourceMetrics> {
  const meter = createTestMeter({
    metricProducers: [createMetricProducer()],
    resource: resourceFromAttributes({ 'service.name': 'exemplars', 'host.cores': 2, 'feature.on': true }),
  });
  meter.provider.getMeter('app', '1.0.0').createCounter('app_requests').add(3, { kind: 'test' });
  const [resourceMetrics] = await meter.exportNow();
  await meter.shutdown();
  return resourceMetrics!;
}

/** Records `value` on request_duration_seconds of `route`, kept as its bucket's exemplar. */
export function recordExemplar(
  route: string,
  value: number,
  timeMs: number,
  traceId = TRACE_ID,
  spanId = SPAN_ID,
): void {
  createHistogramRecorder(CATALOG.requestDurationSeconds)
    .bind({ method: 'POST', route, status: '200' })
    .recordExemplar(value, traceId, spanId, timeMs);
}

/** The request_duration_seconds point of `route` in a decoded request. */
export function pointOfRoute(request: OtlpExportRequest, route: string): OtlpDataPoint | undefined {
  for (const resource of request.resourceMetrics) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.name !== 'request_duration_seconds') continue;
        const point = metric.histogram?.dataPoints.find((candidate) =>
          candidate.attributes?.some(
            (attribute) => attribute.key === 'route' && attribute.value.stringValue === route,
          ),
        );
        if (point) return point;
      }
    }
  }
  return undefined;
}

/** Every metric of a decoded request, by name. */
export function metricsOf(request: OtlpExportRequest): Map<string, OtlpMetric> {
  const byName = new Map<string, OtlpMetric>();
  for (const resource of request.resourceMetrics) {
    for (const scope of resource.scopeMetrics)
      for (const metric of scope.metrics) byName.set(metric.name, metric);
  }
  return byName;
}

/** A decoded exemplar as plain values: ids as hex (bytes over protobuf, hex over JSON), time in ms. */
export function plainExemplars(point: OtlpDataPoint | undefined): Array<{
  value: number | undefined;
  timeMs: number;
  traceId: string;
  spanId: string;
}> {
  const hex = (id: Uint8Array | string | undefined) =>
    id === undefined ? '' : typeof id === 'string' ? id : Buffer.from(id).toString('hex');
  return (point?.exemplars ?? []).map((exemplar) => ({
    value: exemplar.asDouble,
    timeMs: Math.round(Number(exemplar.timeUnixNano) / 1e6),
    traceId: hex(exemplar.traceId),
    spanId: hex(exemplar.spanId),
  }));
}

/** A decoded request without any exemplar, to compare with what OpenTelemetry's serializer wrote. */
export function withoutExemplars(request: OtlpExportRequest): OtlpExportRequest {
  return JSON.parse(
    JSON.stringify(request, (key, value: unknown) => (key === 'exemplars' ? undefined : value)),
  ) as OtlpExportRequest;
}

/**
 * One export through `exporter` by a periodic reader with Sightglass's producer (as `startTelemetry()` and the
 * own-SDK recipe set it up), beside an application counter; then the provider is shut down.
 */
export async function exportOnce(exporter: PushMetricExporter, serviceName = 'exemplars'): Promise<void> {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: 60_000,
        exportTimeoutMillis: 10_000,
        metricProducers: [createMetricProducer()],
      }),
    ],
  });
  provider.getMeter('app', '1.0.0').createCounter('app_requests').add(3, { kind: 'test' });
  await provider.forceFlush();
  await provider.shutdown();
}

/** A decoded request with the times of collection and every exemplar left out, to compare two exports. */
export function comparable(request: OtlpExportRequest): OtlpExportRequest {
  return JSON.parse(
    JSON.stringify(request, (key, value: unknown) =>
      key === 'exemplars' || key === 'timeUnixNano' || key === 'startTimeUnixNano' ? undefined : value,
    ),
  ) as OtlpExportRequest;
}
