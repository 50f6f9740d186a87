/**
 * The `@experimental` part of `@opentelemetry/sdk-metrics` that the Prometheus reader depends on, in this one module;
 * otel-sdk-metrics-internals.test.ts is its canary and fails naming the SDK version that changed it.
 *
 * A MetricReader's `metricProducers` option (of `MetricReaderOptions` and
 * `PeriodicExportingMetricReaderOptions`) is marked `@experimental` in the SDK's types ("Note, this option
 * is experimental"): it may change in a minor release. The reader collects each producer with the SDK's own
 * metrics, keeps the SDK's resource, and appends the producer's scope metrics as they are (the data point
 * objects unchanged).
 *
 * The Prometheus reader passes the application's own producers on through it; Sightglass's own series it
 * renders from the registry itself, so a scrape does not depend on it.
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
