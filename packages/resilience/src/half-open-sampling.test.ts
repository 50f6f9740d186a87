/**
 * cockatiel 4's half-open sampling lets several probe calls through and tells the breaker strategy only
 * once per window; every call must still be counted by its own outcome.
 */
import { CATALOG } from '@sightglass/core';
import { ConsecutiveBreaker, circuitBreaker, handleType } from 'cockatiel4';
import { afterEach, expect, it, vi } from 'vitest';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import { DownstreamError } from './test-support/cockatiel-versions.js';
import { seriesValue } from './test-support/metrics.js';

afterEach(() => vi.useRealTimers());

it('counts every sampled half-open call by its outcome (cockatiel 4)', async () => {
  vi.useFakeTimers();
  const breaker = instrumentCircuitBreaker(
    circuitBreaker(handleType(DownstreamError), {
      halfOpenAfter: 1_000,
      breaker: new ConsecutiveBreaker(1),
      halfOpenSampling: { calls: 4, threshold: 0.5 },
    }),
    { name: 'sampling' },
  );
  await breaker.execute(() => Promise.reject(new DownstreamError('down'))).catch(() => {});
  vi.advanceTimersByTime(1_001);
  const outcomes = await Promise.allSettled([
    breaker.execute(async () => 'a'),
    breaker.execute(async () => 'b'),
    breaker.execute(async () => 'c'),
    breaker.execute(() => Promise.reject(new DownstreamError('one more'))),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'rejected',
  ]);
  const calls = (outcome: string) =>
    seriesValue(CATALOG.circuitBreakerCalls, { breaker_name: 'sampling', outcome });
  expect([calls('success'), calls('failure'), calls('rejected')]).toEqual([3, 2, 0]);
  expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'sampling' })).toBe(2);
  breaker.dispose();
});
