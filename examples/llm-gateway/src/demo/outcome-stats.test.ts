import { describe, expect, it } from 'vitest';
import { OutcomeStats, percentile } from './outcome-stats.js';

describe('percentile', () => {
  it('is the nearest rank of ascending samples', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('OutcomeStats', () => {
  it('accounts for every request: answered by status, errored by kind, or still in flight', () => {
    const stats = new OutcomeStats();
    for (let index = 0; index < 5; index++) stats.sent();
    stats.record({ sentAt: 0, latencyMs: 2, status: 200 });
    stats.record({ sentAt: 0, latencyMs: 4, status: 200 });
    stats.record({ sentAt: 0, latencyMs: 1, status: 503 });
    stats.record({ sentAt: 0, latencyMs: 800, error: 'client_timeout' });
    expect(stats.summary()).toMatchObject({
      sent: 5,
      answered: 3,
      errored: 1,
      inFlight: 1,
      succeeded: 2,
      failed: 2,
      byStatus: { '200': 2, '503': 1 },
      errors: { client_timeout: 1 },
      latencyMs: { p50: 2, p99: 800 },
      latencyByStatusMs: { '503': { p50: 1 } },
      failureLatencyMs: { p50: 1, p95: 800 },
      waitedOnFailuresMs: 801,
    });
  });

  it('gives recent answers per second and latency for the live line', () => {
    const stats = new OutcomeStats();
    stats.record({ sentAt: 0, latencyMs: 10, status: 200 }); // ended at 10: outside the window
    stats.record({ sentAt: 1000, latencyMs: 20, status: 200 });
    stats.record({ sentAt: 1500, latencyMs: 40, status: 200 });
    expect(stats.recentFigures(2000, 1000)).toEqual({
      perSecond: 2,
      latencyMs: { p50: 20, p95: 40, p99: 40 },
    });
    expect(stats.recentFigures(10_000, 1000).latencyMs.p50).toBeUndefined();
  });
});
