import { describe, expect, it } from 'vitest';
import { bucketQuantile, subtractCounts } from './bucket-quantile.js';

const BOUNDARIES = [0.1, 0.5, 1];

describe('bucketQuantile', () => {
  it('has no answer without observations', () => {
    expect(bucketQuantile(BOUNDARIES, [0, 0, 0, 0], 0.5)).toBeNull();
  });

  it('interpolates inside the bucket that holds the rank, from 0 for the first bucket', () => {
    expect(bucketQuantile(BOUNDARIES, [10, 0, 0, 0], 0.5)).toBeCloseTo(0.05);
    expect(bucketQuantile(BOUNDARIES, [0, 10, 0, 0], 0.5)).toBeCloseTo(0.3);
    // 90 fast and 10 slow requests: p50 is fast, p95 lands halfway into the (0.5, 1] bucket.
    expect(bucketQuantile(BOUNDARIES, [90, 0, 10, 0], 0.5)).toBeCloseTo(0.1 * (50 / 90));
    expect(bucketQuantile(BOUNDARIES, [90, 0, 10, 0], 0.95)).toBeCloseTo(0.75);
  });

  it('answers the highest finite boundary for a rank in the +Inf bucket, as Prometheus does', () => {
    expect(bucketQuantile(BOUNDARIES, [1, 0, 0, 9], 0.99)).toBe(1);
  });
});

describe('subtractCounts', () => {
  it('subtracts bucket by bucket and never goes below zero', () => {
    expect(subtractCounts([5, 3, 2], [1, 4, 0])).toEqual([4, 0, 2]);
  });
});
