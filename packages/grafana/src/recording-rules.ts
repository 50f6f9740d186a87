import { CATALOG } from '@sightglass/core';
import { labelOf, ruleScope } from './promql.js';
import type { RecordingRule, RuleFile } from './rule-file.js';
import {
  cacheHitRatio,
  cacheLookupRate,
  LATENCY_QUANTILES,
  quantileName,
  requestErrorRatio,
  requestLatencyQuantile,
  requestRate,
} from './signals.js';

const JOB = 'job';
const CACHE = labelOf(CATALOG.cacheHits, 'cache_name');
const ROUTE = labelOf(CATALOG.requests, 'route');

/** The name of the recording rule group. */
export const RECORDING_GROUP = 'sightglass-recording';

/**
 * A recording rule name after Prometheus' convention `level:metric:operations`: the labels the result keeps,
 * the metric (counters without `_total`), and what was done to it (`rate5m`, `ratio_rate5m`).
 */
export function recordName(level: readonly string[], metric: string, operations: string): string {
  return `${level.join('_')}:${metric}:${operations}`;
}

/**
 * The recording rules: cache hit ratios from the hit and miss counters per `cache_name`, the request error
 * ratio (5xx share) per job and per route, request rates, and request-latency p50 / p95 / p99 per route.
 * Dashboards and ad-hoc queries read them instead of recomputing the same rates.
 */
export function recordingRules(): RecordingRule[] {
  const w5m = ruleScope('5m');
  const w1h = ruleScope('1h');
  const cache = [JOB, CACHE];
  const route = [JOB, ROUTE];
  const hitsPerLookups = `${CATALOG.cacheHits.name}_per_lookups`;
  const errorsPerRequests = `request_errors_per_${CATALOG.requests.name}`;
  return [
    { record: recordName(cache, 'cache_lookups', 'rate5m'), expr: cacheLookupRate(w5m, cache) },
    { record: recordName(cache, hitsPerLookups, 'ratio_rate5m'), expr: cacheHitRatio(w5m, cache) },
    { record: recordName(cache, hitsPerLookups, 'ratio_rate1h'), expr: cacheHitRatio(w1h, cache) },
    { record: recordName(route, CATALOG.requests.name, 'rate5m'), expr: requestRate(w5m, route) },
    { record: recordName(route, errorsPerRequests, 'ratio_rate5m'), expr: requestErrorRatio(w5m, route) },
    { record: recordName([JOB], errorsPerRequests, 'ratio_rate5m'), expr: requestErrorRatio(w5m, [JOB]) },
    ...LATENCY_QUANTILES.map((quantile) => ({
      record: recordName(route, CATALOG.requestDurationSeconds.name, `${quantileName(quantile)}_rate5m`),
      expr: requestLatencyQuantile(quantile, w5m, route),
    })),
  ];
}

/** The recording rules as a rule file (one group). */
export function recordingRuleFile(): RuleFile<RecordingRule> {
  return { groups: [{ name: RECORDING_GROUP, rules: recordingRules() }] };
}
