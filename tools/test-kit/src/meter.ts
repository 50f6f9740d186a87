import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

/** A MeterProvider with a reader whose `collect()` a test calls directly. */
export interface TestMeter {
  readonly provider: MeterProvider;
  /** Collects now; returns every metric by name. */
  collect(): Promise<Map<string, MetricData>>;
  /** The data points of one metric (empty when it was not reported). */
  points(name: string): Promise<Array<DataPoint<unknown>>>;
  shutdown(): Promise<void>;
}

/**
 * Creates a MeterProvider backed by a reader a test collects from on demand, and registers it as the global
 * provider when `global` is true (undone by `shutdown()`).
 */
export function createTestMeter(options: { global?: boolean } = {}): TestMeter {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  if (options.global) metrics.setGlobalMeterProvider(provider);
  const collect = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics } = await reader.collect();
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
    return byName;
  };
  return {
    provider,
    collect,
    async points(name) {
      return ((await collect()).get(name)?.dataPoints ?? []) as Array<DataPoint<unknown>>;
    },
    async shutdown() {
      if (options.global) metrics.disable();
      await provider.shutdown();
    },
  };
}
