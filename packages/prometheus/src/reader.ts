import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { reportInstrumentationError } from '@sightglass/core';
import { mergeMetricFamilies } from './exposition.js';

/** Options of {@link createPrometheusReader}. */
export interface PrometheusReaderOptions {
  /**
   * Add `otel_scope_name` / `otel_scope_version` labels to every series, as the OTel Prometheus
   * compatibility spec asks. Default `true`. Turning them off shortens series but lets two libraries'
   * metrics of one name collide.
   */
  scopeLabels?: boolean;
  /** Emit the `target_info` gauge carrying the resource's attributes (service name, SDK). Default `true`. */
  targetInfo?: boolean;
  /** Resource attributes (matching this pattern) to copy onto every series as labels. Default none. */
  resourceConstantLabels?: RegExp;
  /** Extra producers collected with the SDK's metrics (Sightglass's own producer is added by `startTelemetry`). */
  metricProducers?: MetricProducer[];
}

/**
 * A pull MetricReader for Prometheus. It never opens a port itself: serve it with
 * {@link startMetricsServer}, {@link createMetricsHandler}, the Express middleware or the Fastify plugin.
 */
export class PrometheusReader extends PrometheusExporter {
  private readonly serializer: PrometheusSerializer;

  constructor(options: PrometheusReaderOptions = {}) {
    super({
      preventServerStart: true,
      withoutScopeInfo: options.scopeLabels === false,
      withoutTargetInfo: options.targetInfo === false,
      ...(options.resourceConstantLabels
        ? { withResourceConstantLabels: options.resourceConstantLabels }
        : {}),
      ...(options.metricProducers ? { metricProducers: options.metricProducers } : {}),
    });
    this.serializer = new PrometheusSerializer(
      undefined,
      false,
      options.resourceConstantLabels,
      options.targetInfo === false,
      options.scopeLabels === false,
    );
  }

  /**
   * Collects every metric and renders the text exposition, one block per metric family. Collection errors
   * of single instruments are reported to the diag logger and the rest is still served.
   */
  async render(): Promise<string> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) reportInstrumentationError('Prometheus collection', errors[0]);
    const { text, dropped } = mergeMetricFamilies(this.serializer.serialize(resourceMetrics));
    if (dropped.length > 0) {
      reportInstrumentationError(
        'Prometheus exposition',
        new Error(`metric families declared with two types were left out: ${dropped.join(', ')}`),
      );
    }
    return text;
  }
}

/** Creates a {@link PrometheusReader}: pass it to a MeterProvider's `readers`, or use `startTelemetry()`. */
export function createPrometheusReader(options: PrometheusReaderOptions = {}): PrometheusReader {
  return new PrometheusReader(options);
}

const DEFAULT_READER_KEY = Symbol.for('@sightglass/prometheus/default-reader@1');

/** Makes `reader` the one handlers serve when they are not given one (`startTelemetry()` does this). */
export function setDefaultPrometheusReader(reader: PrometheusReader | undefined): void {
  (globalThis as { [DEFAULT_READER_KEY]?: PrometheusReader })[DEFAULT_READER_KEY] = reader;
}

/** The reader handlers serve by default, if one was set. */
export function defaultPrometheusReader(): PrometheusReader | undefined {
  return (globalThis as { [DEFAULT_READER_KEY]?: PrometheusReader })[DEFAULT_READER_KEY];
}
