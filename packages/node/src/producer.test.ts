import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { CATALOG, createMetricGroup, METER_NAME, SIGHTGLASS_VERSION } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { sightglassMetricProducer } from './producer.js';
import { sightglassViews } from './views.js';

describe('sightglassMetricProducer', () => {
  it('produces cumulative monotonic sums for counters, starting when the series started', async () => {
    const before = Date.now();
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'p' }).add(2);
    const { resourceMetrics, errors } = await sightglassMetricProducer().collect();
    expect(errors).toEqual([]);
    const [scope] = resourceMetrics.scopeMetrics;
    expect(scope?.scope).toEqual({ name: METER_NAME, version: SIGHTGLASS_VERSION });
    const hits = scope?.metrics.find((metric) => metric.descriptor.name === 'cache_hits') as SumMetricData;
    expect(hits).toMatchObject({
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      descriptor: { type: InstrumentType.OBSERVABLE_COUNTER, unit: '{hit}' },
    });
    const [point] = hits.dataPoints;
    expect(point?.value).toBe(2);
    expect(point!.startTime[0] * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    group.dispose();
  });

  it('produces gauges only while they have a value', async () => {
    let value: number | undefined;
    const group = createMetricGroup();
    group.gauge(CATALOG.cacheHitRatePercent, { cache_name: 'p' }, () => value);
    const names = async () =>
      (await sightglassMetricProducer().collect()).resourceMetrics.scopeMetrics[0]?.metrics.map(
        (m) => m.descriptor.name,
      );
    expect(await names()).not.toContain('cache_hit_rate_percent');
    value = 40;
    expect(await names()).toContain('cache_hit_rate_percent');
    group.dispose();
  });
});

describe('sightglassViews', () => {
  it('gives each catalog histogram its seconds buckets and a cardinality limit', () => {
    const view = sightglassViews().find(
      (candidate) => candidate.instrumentName === 'request_duration_seconds',
    );
    expect(view).toMatchObject({
      meterName: METER_NAME,
      aggregation: { options: { boundaries: [...CATALOG.requestDurationSeconds.boundaries!] } },
      aggregationCardinalityLimit: 2000,
    });
  });
});
