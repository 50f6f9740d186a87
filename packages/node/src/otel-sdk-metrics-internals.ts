/**
 * The `@experimental` part of `@opentelemetry/sdk-metrics` that the metric export of @sightglass/node depends on, in this one module;
 * otel-sdk-metrics-internals.test.ts is its canary and fails naming the SDK version that changed it.
 *
 * A MetricReader's `metricProducers` option (of `MetricReaderOptions` and
 * `PeriodicExportingMetricReaderOptions`) is marked `@experimental` in the SDK's types ("Note, this option
 * is experimental"): it may change in a minor release. The reader collects each producer with the SDK's own
 * metrics, keeps the SDK's resource, and appends the producer's scope metrics as they are (the data point
 * objects unchanged).
 *
 * Every periodic reader `startTelemetry()` builds gets `createMetricProducer()` through it: Sightglass's
 * own metrics reach an OTLP or console exporter by this option only, exemplars included (a field of the
 * producer's histogram points that the SDK passes on untouched; otel-otlp-internals.test.ts sees them
 * arrive at a receiver). An application with its own NodeSDK passes the producer the same way.
 */
import type { MetricProducer } from '@opentelemetry/sdk-metrics';

/**
 * `options` with `producers` as the reader's (experimental) `metricProducers`; `options` unchanged when there
 * are none, so a reader without producers never touches the experimental option.
 */
export function withMetricProducers<T extends object>(
  options: T,
  producers: readonly MetricProducer[],
): T & { metricProducers?: MetricProducer[] } {
  return producers.length > 0 ? { ...options, metricProducers: [...producers] } : options;
}
