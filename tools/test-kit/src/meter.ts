import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  type MeterProviderOptions,
  type MetricData,
  type MetricProducer,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** How {@link createTestMeter} sets its MeterProvider and reader up. */
export interface TestMeterOptions {
  /**
   * Registers the provider as the global MeterProvider (undone by `shutdown()`).
   *
   * @default false
   */
  global?: boolean;
  /**
   * Producers the reader collects beside the provider's own meters, as the `metricProducers` of an
   * application's exporting reader: `[createMetricProducer()]` to see what Sightglass hands an exporter.
   *
   * @default [] (the provider's meters only)
   */
  metricProducers?: MetricProducer[];
  /**
   * The provider's resource.
   *
   * @default the SDK's default resource
   */
  resource?: MeterProviderOptions['resource'];
}

/**
 * A MeterProvider whose reader exports, when a test asks, into the SDK's `InMemoryMetricExporter`: what an
 * OTLP (or any push) exporter would receive, without a network or a timer.
 */
export interface TestMeter {
  readonly provider: MeterProvider;
  /** Collects now, without exporting; returns every metric by name. */
  collect(): Promise<Map<string, MetricData>>;
  /**
   * Exports once, as the periodic reader does on its interval, and returns what the exporter received, every
   * metric by name (an empty map when the reader had nothing to export).
   */
  collectMetrics(): Promise<Map<string, MetricData>>;
  /**
   * Exports once and returns the batches the exporter received, resource and scopes included (none when the
   * reader had nothing to export).
   */
  exportNow(): Promise<ResourceMetrics[]>;
  /** The data points of one metric (empty when it was not reported). */
  points(name: string): Promise<Array<DataPoint<unknown>>>;
  shutdown(): Promise<void>;
}

/** Every metric of some batches by name; a later batch's metric of the same name wins. */
function byName(batches: readonly ResourceMetrics[]): Map<string, MetricData> {
  const named = new Map<string, MetricData>();
  for (const { scopeMetrics } of batches) {
    for (const scope of scopeMetrics) {
      for (const metric of scope.metrics) named.set(metric.descriptor.name, metric);
    }
  }
  return named;
}

/**
 * Creates a MeterProvider backed by a reader a test collects from on demand, cumulative as an OTLP exporter
 * asks by default, and registers it as the global provider when `global` is true.
 *
 * @example
 * const meter = createTestMeter({ metricProducers: [createMetricProducer()] });
 * const exported = await meter.collectMetrics();
 * exported.get('cache_hits_total')?.dataPoints;
 * await meter.shutdown();
 */
export function createTestMeter(options: TestMeterOptions = {}): TestMeter {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // An hour: the reader never exports on its own during a test; exportNow() makes it export.
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
    ...(options.metricProducers === undefined ? {} : { metricProducers: options.metricProducers }),
  });
  const provider = new MeterProvider({
    readers: [reader],
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  });
  if (options.global) metrics.setGlobalMeterProvider(provider);
  const collect = async (): Promise<Map<string, MetricData>> =>
    byName([(await reader.collect()).resourceMetrics]);
  const exportNow = async (): Promise<ResourceMetrics[]> => {
    exporter.reset();
    await reader.forceFlush();
    return exporter.getMetrics();
  };
  return {
    provider,
    collect,
    exportNow,
    collectMetrics: async () => byName(await exportNow()),
    async points(name) {
      return ((await collect()).get(name)?.dataPoints ?? []) as Array<DataPoint<unknown>>;
    },
    async shutdown() {
      if (options.global) metrics.disable();
      await provider.shutdown();
    },
  };
}

/**
 * What one export hands an exporter from these producers alone (a MeterProvider with no meters of its own
 * used): every metric by name. `collectMetrics([createMetricProducer()])` is what Sightglass's series
 * look like to an OTLP exporter.
 */
export async function collectMetrics(metricProducers: MetricProducer[]): Promise<Map<string, MetricData>> {
  const meter = createTestMeter({ metricProducers });
  try {
    return await meter.collectMetrics();
  } finally {
    await meter.shutdown();
  }
}
