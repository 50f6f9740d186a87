import { createTestMeter } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';
import { CATALOG } from './catalog.js';
import { createInstrument } from './instruments.js';

describe('createInstrument', () => {
  it('creates each kind from its catalog entry, with unit, description and buckets', async () => {
    const meter = createTestMeter();
    const sdkMeter = meter.provider.getMeter('test');
    createInstrument(sdkMeter, CATALOG.requests).add(2, { method: 'GET', route: '/', status: '200' });
    createInstrument(sdkMeter, CATALOG.cacheHitRatePercent).record(40, { cache_name: 'c' });
    createInstrument(sdkMeter, CATALOG.requestDurationSeconds).record(3, {
      method: 'GET',
      route: '/',
      status: '200',
    });
    const collected = await meter.collect();
    expect(collected.get('requests')?.descriptor).toMatchObject({
      unit: '{request}',
      description: 'Total requests',
    });
    expect(collected.get('requests')?.dataPoints[0]?.value).toBe(2);
    expect(collected.get('cache_hit_rate_percent')?.dataPoints[0]?.value).toBe(40);
    const histogram = collected.get('request_duration_seconds')?.dataPoints[0]?.value as {
      buckets: { boundaries: number[] };
    };
    expect(histogram.buckets.boundaries).toEqual([...CATALOG.requestDurationSeconds.boundaries!]);
    await meter.shutdown();
  });
});
