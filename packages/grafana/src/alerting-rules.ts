import { CATALOG } from '@sightglass/core';
import { labelOf, metricName, ruleScope } from './promql.js';
import type { AlertingRule, RuleFile } from './rule-file.js';
import {
  BREAKER_STATE,
  breakerState,
  cacheHitRatio,
  cacheLookupRate,
  poolUtilization,
  requestErrorRatio,
  requestLatencyQuantile,
  requestRate,
} from './signals.js';

/** Thresholds and durations of the alerts. Every field is optional; see each for its default. */
export interface AlertOptions {
  /**
   * How long a breaker must stay open before `CircuitBreakerOpen` fires.
   * @default `1m`
   */
  breakerOpenFor?: string;
  /**
   * Pool utilization (percent) above which `ConnectionPoolSaturated` fires.
   * @default 90
   */
  poolUtilizationPercent?: number;
  /**
   * @default `5m`
   */
  poolSaturatedFor?: string;
  /**
   * `CacheHitRatioDrop` fires when a cache's 5-minute hit ratio is below this fraction of its own 1-hour
   * average.
   * @default 0.8 (a fifth below its usual level)
   */
  cacheHitRatioDropFactor?: number;
  /**
   * Lookups per second a cache needs for `CacheHitRatioDrop` to matter.
   * @default 1
   */
  cacheMinLookupsPerSecond?: number;
  /**
   * @default `10m`
   */
  cacheHitRatioDropFor?: string;
  /**
   * Share of 5xx responses (0..1) above which `RequestErrorRatioHigh` fires.
   * @default 0.05
   */
  errorRatio?: number;
  /**
   * @default `5m`
   */
  errorRatioFor?: string;
  /**
   * p99 request latency (seconds) above which `RequestLatencyP99High` fires.
   * @default 30 (a bucket boundary)
   */
  latencyP99Seconds?: number;
  /**
   * @default `10m`
   */
  latencyFor?: string;
  /**
   * Requests per second a job (errors) or route (latency) needs for those alerts to matter.
   * @default 0.1
   */
  minRequestsPerSecond?: number;
}

/** The defaults of `AlertOptions`. */
export const DEFAULT_ALERT_OPTIONS: Readonly<Required<AlertOptions>> = Object.freeze({
  breakerOpenFor: '1m',
  poolUtilizationPercent: 90,
  poolSaturatedFor: '5m',
  cacheHitRatioDropFactor: 0.8,
  cacheMinLookupsPerSecond: 1,
  cacheHitRatioDropFor: '10m',
  errorRatio: 0.05,
  errorRatioFor: '5m',
  latencyP99Seconds: 30,
  latencyFor: '10m',
  minRequestsPerSecond: 0.1,
});

/** The name of the alerting rule group. */
export const ALERTING_GROUP = 'sightglass-alerts';

const JOB = 'job';
const INSTANCE = 'instance';
const BREAKER = labelOf(CATALOG.circuitBreakerState, 'breaker_name');
const POOL = labelOf(CATALOG.connectionPoolUtilizationPercent, 'pool_name');
const CACHE = labelOf(CATALOG.cacheHits, 'cache_name');
const ROUTE = labelOf(CATALOG.requests, 'route');

function on(labels: readonly string[]): string {
  return `on (${labels.join(', ')})`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/**
 * The alerting rules: a breaker open too long, a saturated connection pool, a cache hit ratio dropping
 * well below its usual level, too many 5xx responses, and p99 latency too high. Each expression stands on
 * its own (no recording rule needed), and labels severity (`critical` pages, `warning` goes to a ticket).
 */
export function alertingRules(options: AlertOptions = {}): AlertingRule[] {
  const o = { ...DEFAULT_ALERT_OPTIONS, ...options };
  const w5m = ruleScope('5m');
  const w1h = ruleScope('1h');
  const breaker = [JOB, INSTANCE, BREAKER];
  const pool = [JOB, INSTANCE, POOL];
  const cache = [JOB, CACHE];
  const route = [JOB, ROUTE];
  return [
    {
      alert: 'CircuitBreakerOpen',
      expr: `${breakerState(w5m, breaker)} == ${BREAKER_STATE.open}`,
      for: o.breakerOpenFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `Circuit breaker {{ $labels.${BREAKER} }} has been open for more than ${o.breakerOpenFor}`,
        description:
          `Breaker {{ $labels.${BREAKER} }} of {{ $labels.job }} on {{ $labels.instance }} is rejecting calls ` +
          `because its downstream keeps failing. Check the downstream, and the breaker's failures ` +
          `(${metricName(CATALOG.circuitBreakerFailures)}).`,
      },
    },
    {
      alert: 'ConnectionPoolSaturated',
      expr: `${poolUtilization(w5m, pool)} > ${o.poolUtilizationPercent}`,
      for: o.poolSaturatedFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `Connection pool {{ $labels.${POOL} }} is over ${o.poolUtilizationPercent}% utilized`,
        description:
          `Pool {{ $labels.${POOL} }} of {{ $labels.job }} on {{ $labels.instance }} has had ` +
          `{{ $value | humanize }}% of its connections in use for ${o.poolSaturatedFor}, so requests wait for a ` +
          `connection (${metricName(CATALOG.connectionPoolPendingRequests)}). Raise its connection limit, or ` +
          'find what holds connections.',
      },
    },
    {
      alert: 'CacheHitRatioDrop',
      expr:
        `${cacheHitRatio(w5m, cache)} < ${o.cacheHitRatioDropFactor} * ${cacheHitRatio(w1h, cache)} ` +
        `and ${on(cache)} ${cacheLookupRate(w5m, cache)} > ${o.cacheMinLookupsPerSecond}`,
      for: o.cacheHitRatioDropFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `Cache {{ $labels.${CACHE} }} hit ratio dropped to {{ $value | humanizePercentage }}`,
        description:
          `The 5-minute hit ratio of cache {{ $labels.${CACHE} }} of {{ $labels.job }} has stayed below ` +
          `${percent(o.cacheHitRatioDropFactor)} of its 1-hour average for ${o.cacheHitRatioDropFor}, with more ` +
          `than ${o.cacheMinLookupsPerSecond} lookup/s. Every miss goes to what the cache protects ` +
          `(the model server). Look for evictions (${metricName(CATALOG.cacheEvictions)}), load failures or ` +
          'a change in the keys.',
      },
    },
    {
      alert: 'RequestErrorRatioHigh',
      expr:
        `${requestErrorRatio(w5m, [JOB])} > ${o.errorRatio} ` +
        `and ${on([JOB])} ${requestRate(w5m, [JOB])} > ${o.minRequestsPerSecond}`,
      for: o.errorRatioFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: '{{ $value | humanizePercentage }} of {{ $labels.job }} requests fail with a 5xx status',
        description:
          `More than ${percent(o.errorRatio)} of the requests {{ $labels.job }} served in the last 5 minutes ` +
          `were answered with a 5xx status, for ${o.errorRatioFor}. See the routes in ` +
          `${metricName(CATALOG.requests)} and whether a circuit breaker is open.`,
      },
    },
    {
      alert: 'RequestLatencyP99High',
      expr:
        `${requestLatencyQuantile(0.99, w5m, route)} > ${o.latencyP99Seconds} ` +
        `and ${on(route)} ${requestRate(w5m, route)} > ${o.minRequestsPerSecond}`,
      for: o.latencyFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `p99 latency of {{ $labels.${ROUTE} }} on {{ $labels.job }} is {{ $value | humanizeDuration }}`,
        description:
          `The 99th percentile of ${metricName(CATALOG.requestDurationSeconds)} for route {{ $labels.${ROUTE} }} ` +
          `of {{ $labels.job }} has been above ${o.latencyP99Seconds}s for ${o.latencyFor}. Compare the GenAI ` +
          'operation duration (the model) with the connection pool (waiting for a connection).',
      },
    },
  ];
}

/** The alerting rules as a rule file (one group). */
export function alertingRuleFile(options: AlertOptions = {}): RuleFile<AlertingRule> {
  return { groups: [{ name: ALERTING_GROUP, rules: alertingRules(options) }] };
}

/** Each alert's name and expression: for checking that every one parses and runs against Prometheus. */
export function alertExpressions(options: AlertOptions = {}): Array<{ alert: string; expr: string }> {
  return alertingRules(options).map(({ alert, expr }) => ({ alert, expr }));
}
