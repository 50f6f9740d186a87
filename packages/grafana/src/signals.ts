/**
 * The expressions the dashboard, the recording rules and the alerts share, so a hit ratio or an error ratio
 * means the same thing on the dashboard as in the alert that pages for it.
 */
import { CATALOG } from '@sightglass/core';
import {
  aggregate,
  histogramQuantile,
  labelOf,
  matches,
  metricName,
  type QueryScope,
  rate,
  ratio,
  selector,
  sumBy,
} from './promql.js';

/** The values of `circuit_breaker_state` (its catalog description: 0=CLOSED, 1=OPEN, 2=HALF_OPEN). */
export const BREAKER_STATE = Object.freeze({ closed: 0, open: 1, halfOpen: 2 } as const);

/** The latency quantiles the dashboard and the recording rules show. */
export const LATENCY_QUANTILES: readonly number[] = Object.freeze([0.5, 0.95, 0.99]);

/** A quantile's short name: `0.99` → `p99`, `0.999` → `p99_9`. */
export function quantileName(quantile: number): string {
  return `p${String(Math.round(quantile * 1000) / 10).replace('.', '_')}`;
}

/** The `status` values counted as errors: 5xx, the server's own failures (4xx and 499 are the client's). */
export const SERVER_ERROR_STATUS = '5..';

const CACHE_HITS = metricName(CATALOG.cacheHits);
const CACHE_MISSES = metricName(CATALOG.cacheMisses);
const REQUESTS = metricName(CATALOG.requests);
const REQUEST_DURATION_BUCKET = metricName(CATALOG.requestDurationSeconds, 'bucket');

/** Cache lookups per second (hits + misses), summed by `by`. */
export function cacheLookupRate(scope: QueryScope, by: readonly string[]): string {
  return `${sumBy(by, rate(CACHE_HITS, scope))} + ${sumBy(by, rate(CACHE_MISSES, scope))}`;
}

/** The cache hit ratio (0..1) from the hit and miss counters: hits / (hits + misses), summed by `by`. */
export function cacheHitRatio(scope: QueryScope, by: readonly string[]): string {
  return ratio(sumBy(by, rate(CACHE_HITS, scope)), cacheLookupRate(scope, by));
}

/** Requests per second, summed by `by`. */
export function requestRate(scope: QueryScope, by: readonly string[]): string {
  return sumBy(by, rate(REQUESTS, scope));
}

/**
 * The share (0..1) of requests answered with a 5xx status, summed by `by`; 0, not absent, while there are
 * requests but no errors.
 */
export function requestErrorRatio(scope: QueryScope, by: readonly string[]): string {
  const errors = sumBy(
    by,
    rate(REQUESTS, scope, [matches(labelOf(CATALOG.requests, 'status'), SERVER_ERROR_STATUS)]),
  );
  return ratio(`${errors} or ${requestRate(scope, by)} * 0`, requestRate(scope, by));
}

/** A request-latency quantile (seconds) from `request_duration_seconds_bucket`, per `by`. */
export function requestLatencyQuantile(quantile: number, scope: QueryScope, by: readonly string[]): string {
  return histogramQuantile(quantile, REQUEST_DURATION_BUCKET, by, scope);
}

/** The highest connection-pool utilization (percent) per `by`. */
export function poolUtilization(scope: QueryScope, by: readonly string[]): string {
  return aggregate('max', by, selector(metricName(CATALOG.connectionPoolUtilizationPercent), scope));
}

/** A breaker's state (0 closed, 1 open, 2 half-open), the highest per `by`. */
export function breakerState(scope: QueryScope, by: readonly string[]): string {
  return aggregate('max', by, selector(metricName(CATALOG.circuitBreakerState), scope));
}
