import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** What {@link fixedMetricProducer} produces. */
export interface FixedMetricProducerOptions {
  /** The scope of its one metric. @default 'canary-producer' */
  scope?: string;
  /** Its one gauge's name. @default 'produced' */
  name?: string;
  /** The gauge's description. @default '' */
  description?: string;
  /** The gauge's one data point, as the producer hands it over (extra fields such as `exemplars` kept). */
  point?: Record<string, unknown>;
}

/**
 * A MetricProducer that produces one gauge with one data point (7 by default) under a scope of its own:
 * what a canary hands an SDK reader's `metricProducers` to see it collected, its point untouched.
 */
export function fixedMetricProducer(options: FixedMetricProducerOptions = {}): MetricProducer {
  const point = options.point ?? { startTime: [0, 0], endTime: [0, 0], attributes: {}, value: 7 };
  return {
    async collect(): Promise<CollectionResult> {
      return {
        resourceMetrics: {
          resource: undefined as never, // the reader keeps the SDK's resource
          scopeMetrics: [
            {
              scope: { name: options.scope ?? 'canary-producer' },
              metrics: [
                {
                  descriptor: {
                    name: options.name ?? 'produced',
                    description: options.description ?? '',
                    unit: '',
                    valueType: 1,
                  },
                  aggregationTemporality: AggregationTemporality.CUMULATIVE,
                  dataPointType: DataPointType.GAUGE,
                  dataPoints: [point as never],
                },
              ],
            },
          ],
        },
        errors: [],
      };
    },
  };
}
