import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type CollectionResult, type MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import { metricRegistry } from '@sightglass/core';
import { readsMetricRegistry, reportInstrumentationError } from '@sightglass/core/internal';
import { type ExpositionOptions, writeExpositionInSlices } from './exposition.js';
import type { ExpositionFormat } from './exposition-format.js';
import { withMetricProducers } from './otel-sdk-metrics-internals.js';

const gzipAsync = promisify(gzip);

/** Options of {@link createPrometheusReader}. */
export interface PrometheusReaderOptions {
  /**
   * Add `otel_scope_name` / `otel_scope_version` labels to every series, as the OTel Prometheus
   * compatibility spec asks. Turning them off shortens series but lets two libraries'
   * metrics of one name collide (the second series is then left out of the scrape).
   * @default true
   */
  scopeLabels?: boolean;
  /**
   * Emit the `target_info` gauge carrying the resource's attributes (service name, SDK).
   * @default true
   */
  targetInfo?: boolean;
  /**
   * Resource attributes (matching this pattern) to copy onto every series as labels.
   * @default none
   */
  resourceConstantLabels?: RegExp;
  /**
   * Extra producers collected with the SDK's metrics. Passed to the SDK's `MetricReader` as its
   * `metricProducers` option, which `@opentelemetry/sdk-metrics` marks `@experimental`: it may change in a
   * minor SDK release. A producer reading Sightglass's registry (`createMetricProducer()`) is dropped,
   * as the reader renders the registry itself.
   * @experimental
   * @default none
   */
  metricProducers?: MetricProducer[];
}

/**
 * A pull MetricReader for Prometheus. It never opens a port itself: serve it with
 * {@link startMetricsServer}, {@link createMetricsHandler}, the Express middleware or the Fastify plugin.
 *
 * It extends the `MetricReader` of the application's `@opentelemetry/sdk-metrics` (2.x or 3.x) and writes
 * the exposition itself, so it brings no second copy of the SDK.
 */
export class PrometheusReader extends MetricReader {
  private readonly exposition: Omit<ExpositionOptions, 'format'>;
  /** The collection under way: scrapes that arrive meanwhile share it. */
  private collecting: Promise<CollectionResult> | undefined;
  /** Renders under way, by format and encoding: concurrent scrapes of one kind share one. */
  private readonly rendering = new Map<string, Promise<string | Buffer>>();

  constructor(options: PrometheusReaderOptions = {}) {
    // Sightglass's own series are rendered from the registry itself; a producer reading it would repeat them.
    const producers = (options.metricProducers ?? []).filter((producer) => !readsMetricRegistry(producer));
    super(withMetricProducers({}, producers));
    this.exposition = {
      scopeLabels: options.scopeLabels !== false,
      targetInfo: options.targetInfo !== false,
      resourceConstantLabels: options.resourceConstantLabels,
    };
  }

  /**
   * Collects every metric and renders the exposition in `format` (Prometheus text 0.0.4 by default, or
   * OpenMetrics 1.0), one block per metric family. Collection errors of single instruments are reported to
   * the diag logger and the rest is still served. Scrapes that arrive while one is rendered share it.
   */
  async render(format: ExpositionFormat = 'text'): Promise<string> {
    return (await this.shared(`${format}:identity`, () => this.renderNow(format))) as string;
  }

  /** {@link render}, gzip-compressed; concurrent scrapes share one compression too. */
  async renderGzip(format: ExpositionFormat = 'text'): Promise<Buffer> {
    return (await this.shared(`${format}:gzip`, async () => gzipAsync(await this.render(format)))) as Buffer;
  }

  private shared(key: string, work: () => Promise<string | Buffer>): Promise<string | Buffer> {
    let pending = this.rendering.get(key);
    if (pending === undefined) {
      pending = work().finally(() => this.rendering.delete(key));
      this.rendering.set(key, pending);
    }
    return pending;
  }

  private async renderNow(format: ExpositionFormat): Promise<string> {
    this.collecting ??= this.collect().finally(() => {
      this.collecting = undefined;
    });
    const { resourceMetrics, errors } = await this.collecting;
    const registry = metricRegistry().snapshot();
    if (errors.length > 0) reportInstrumentationError('Prometheus collection', errors[0]);
    // In slices: a scrape of many series never holds the application's requests up for long.
    const { text, dropped } = await writeExpositionInSlices(
      resourceMetrics,
      { ...this.exposition, format },
      registry,
    );
    if (dropped.length > 0) {
      reportInstrumentationError(
        'Prometheus exposition',
        new Error(`left out of the scrape: ${dropped.join(', ')}`),
      );
    }
    return text;
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
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
