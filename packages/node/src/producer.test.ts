import { AggregationTemporality, DataPointType, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { CATALOG, createMetricGroup, SIGHTGLASS_VERSION } from '@sightglass/core';
import { METER_NAME } from '@sightglass/core/internal';
import { collectMetrics, createTestMeter } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';
import { createMetricProducer } from './producer.js';
import { sightglassViews } from './views.js';

describe('createMetricProducer', () => {
  it('produces cumulative monotonic sums for counters, starting when the series started', async () => {
    const before = Date.now();
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'p' }).add(2);
    const { resourceMetrics, errors } = await createMetricProducer().collect();
    expect(errors).toEqual([]);
    const [scope] = resourceMetrics.scopeMetrics;
    expect(scope?.scope).toEqual({ name: METER_NAME, version: SIGHTGLASS_VERSION });
    const hits = scope?.metrics.find((metric) => metric.descriptor.name === 'cache_hits') as SumMetricData;
    expect(hits).toMatchObject({
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      descriptor: { unit: '{hit}' },
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
      (await createMetricProducer().collect()).resourceMetrics.scopeMetrics[0]?.metrics.map(
        (m) => m.descriptor.name,
      );
    expect(await names()).not.toContain('cache_hit_rate_percent');
    value = 40;
    expect(await names()).toContain('cache_hit_rate_percent');
    group.dispose();
  });
});

describe('what an exporter receives from the producer', () => {
  it("is every series of the registry, in Sightglass's scope, beside the application's own meters", async () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'exported' }).add(4);
    group.histogram(CATALOG.cacheLoadDurationSeconds, { cache_name: 'exported' }).record(0.3);
    const meter = createTestMeter({ metricProducers: [createMetricProducer()] });
    meter.provider.getMeter('app').createCounter('app_requests').add(2);
    const [batch, ...more] = await meter.exportNow();
    expect(more).toEqual([]);
    expect(batch?.scopeMetrics.map(({ scope }) => scope.name)).toEqual(
      expect.arrayContaining(['app', METER_NAME]),
    );
    const exported = await meter.collectMetrics();
    expect(exported.get('app_requests')?.dataPoints.map(({ value }) => value)).toEqual([2]);
    const hits = exported
      .get('cache_hits')
      ?.dataPoints.find(({ attributes }) => attributes.cache_name === 'exported');
    expect(hits?.value).toBe(4);
    const load = exported
      .get('cache_load_duration_seconds')
      ?.dataPoints.find(({ attributes }) => attributes.cache_name === 'exported');
    expect(load?.value).toMatchObject({ count: 1, sum: 0.3 });
    await meter.shutdown();
    group.dispose();
  });

  it('is nothing of a disposed group', async () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheMisses, { cache_name: 'gone' }).inc();
    expect(
      (await collectMetrics([createMetricProducer()]))
        .get('cache_misses')
        ?.dataPoints.some(({ attributes }) => attributes.cache_name === 'gone'),
    ).toBe(true);
    group.dispose();
    expect(
      (await collectMetrics([createMetricProducer()]))
        .get('cache_misses')
        ?.dataPoints.some(({ attributes }) => attributes.cache_name === 'gone') ?? false,
    ).toBe(false);
  });
});

describe('histograms from the producer', () => {
  it('produces cumulative histogram points with the catalog buckets', async () => {
    const group = createMetricGroup();
    const cell = group.histogram(CATALOG.cacheLoadDurationSeconds, { cache_name: 'hist' });
    cell.record(0.3);
    cell.record(70);
    const { resourceMetrics } = await createMetricProducer().collect();
    const metric = resourceMetrics.scopeMetrics[0]?.metrics.find(
      (candidate) => candidate.descriptor.name === 'cache_load_duration_seconds',
    );
    expect(metric).toMatchObject({
      dataPointType: DataPointType.HISTOGRAM,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      descriptor: { unit: 's' },
    });
    const point = metric?.dataPoints[0] as {
      value: {
        count: number;
        sum: number;
        min: number;
        max: number;
        buckets: { boundaries: number[]; counts: number[] };
      };
    };
    expect(point.value).toMatchObject({ count: 2, sum: 70.3, min: 0.3, max: 70 });
    expect(point.value.buckets.boundaries).toEqual([...CATALOG.cacheLoadDurationSeconds.boundaries!]);
    expect(point.value.buckets.counts.reduce((a, b) => a + b, 0)).toBe(2);
    group.dispose();
  });
});

describe('sightglassViews', () => {
  it('gives each catalog histogram its seconds buckets and a cardinality limit', () => {
    const view = sightglassViews().find(
      (candidate) => candidate.instrumentName === 'request_duration_seconds',
    );
    expect(view).toMatchObject({
      aggregation: { options: { boundaries: [...CATALOG.requestDurationSeconds.boundaries!] } },
      aggregationCardinalityLimit: 2000,
    });
  });
});
