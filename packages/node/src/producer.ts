import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import {
  type HistogramExemplar,
  type MetricSnapshot,
  metricRegistry,
  SIGHTGLASS_VERSION,
} from '@sightglass/core';
import { METER_NAME, REGISTRY_PRODUCER_MARK } from '@sightglass/core/internal';
import type { DataPointExemplar } from './exemplar-serializer.js';

/** Milliseconds since the epoch as the SDK's `[seconds, nanoseconds]` time. */
function millisToHrTime(epochMs: number): [number, number] {
  const seconds = Math.trunc(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}

const EMPTY_RESOURCE = resourceFromAttributes({});
const NO_ATTRIBUTES = Object.freeze({});

/** A histogram's exemplars (one per bucket that has one, in bucket order) as a data point carries them. */
function toExemplars(slots: readonly (HistogramExemplar | undefined)[]): DataPointExemplar[] {
  const exemplars: DataPointExemplar[] = [];
  for (const slot of slots) {
    if (slot === undefined) continue;
    exemplars.push({
      filteredAttributes: NO_ATTRIBUTES,
      value: slot.value,
      timestamp: millisToHrTime(slot.timeMs),
      traceId: slot.traceId,
      spanId: slot.spanId,
    });
  }
  return exemplars;
}

/**
 * The MetricProducer that reads Sightglass's plain-number counters, gauges and histograms at collection time.
 *
 * `startTelemetry()` attaches it to every reader. If you build your own MeterProvider or NodeSDK, pass it to
 * each reader: `new PeriodicExportingMetricReader({ exporter, metricProducers: [createMetricProducer()] })`.
 * `metricProducers` is marked `@experimental` in `@opentelemetry/sdk-metrics`: it may change in a minor SDK
 * release (otel-sdk-metrics-internals.ts has what Sightglass relies on).
 *
 * A histogram point whose buckets kept exemplars (measurements taken in a sampled span) carries them as
 * `exemplars`, one per bucket, shaped as the SDK's `Exemplar` type (`value`, `timestamp`, `traceId`,
 * `spanId`, empty `filteredAttributes`). OpenTelemetry's OTLP exporters leave them out;
 * `createOtlpMetricExporter()` sends them.
 */
export function createMetricProducer(): MetricProducer {
  const producer: MetricProducer & { [REGISTRY_PRODUCER_MARK]: true } = {
    [REGISTRY_PRODUCER_MARK]: true,
    async collect(): Promise<CollectionResult> {
      const now = millisToHrTime(Date.now());
      const metrics = metricRegistry()
        .snapshot()
        .map((snapshot) => toMetricData(snapshot, now));
      return {
        // The reader keeps the SDK's resource and takes only the scope metrics from a producer.
        resourceMetrics: {
          resource: EMPTY_RESOURCE,
          scopeMetrics: [{ scope: { name: METER_NAME, version: SIGHTGLASS_VERSION }, metrics }],
        },
        errors: [],
      };
    },
  };
  return producer;
}

function toMetricData(snapshot: MetricSnapshot, now: [number, number]): MetricData {
  const { definition } = snapshot;
  const descriptor = {
    name: definition.name,
    description: definition.description,
    unit: definition.unit,
    valueType: ValueType.DOUBLE,
  };
  const cumulative = (startTimeMs: number) => ({ startTime: millisToHrTime(startTimeMs), endTime: now });
  switch (definition.kind) {
    case 'counter':
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: snapshot.series.map((series) => ({
          ...cumulative(series.startTimeMs),
          attributes: series.attributes,
          value: series.value,
        })),
      };
    case 'gauge':
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: snapshot.series.map((series) => ({
          startTime: now,
          endTime: now,
          attributes: series.attributes,
          value: series.value,
        })),
      };
    default:
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: snapshot.series.flatMap((series) => {
          const histogram = series.histogram;
          if (histogram === undefined) return [];
          const point: DataPoint<Histogram> & { exemplars?: DataPointExemplar[] } = {
            ...cumulative(series.startTimeMs),
            attributes: series.attributes,
            value: {
              buckets: { boundaries: [...histogram.boundaries], counts: [...histogram.counts] },
              sum: histogram.sum,
              count: histogram.count,
              min: histogram.min,
              max: histogram.max,
            },
          };
          if (histogram.exemplars !== undefined) {
            const exemplars = toExemplars(histogram.exemplars);
            if (exemplars.length > 0) point.exemplars = exemplars;
          }
          return [point];
        }),
      };
  }
}
