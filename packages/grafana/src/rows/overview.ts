import { CATALOG } from '@sightglass/core';
import { healthStatusValue } from '@sightglass/core/internal';
import { legend, query, type RowSpec, stat, thresholds, timeseries, valueMapping } from '../panels.js';
import { aggregate, eq, labelOf, metricName, DASHBOARD_SCOPE as S, selector } from '../promql.js';
import {
  BREAKER_STATE,
  cacheHitRatio,
  requestErrorRatio,
  requestLatencyQuantile,
  requestRate,
} from '../signals.js';

const HEALTH = metricName(CATALOG.healthStatus);
const COMPONENT = labelOf(CATALOG.healthStatus, 'component');

/** The `component` value of the process-wide status (the worst of every part, as /health reports it). */
const OVERALL = 'overall';

const HEALTHY = healthStatusValue('healthy');
const DEGRADED = healthStatusValue('degraded');
const UNHEALTHY = healthStatusValue('unhealthy');

/** `health_status` values as words: 1 healthy, 0.5 degraded, 0 unhealthy. */
const HEALTH_MAPPING = valueMapping([
  [HEALTHY, 'healthy', 'green'],
  [DEGRADED, 'degraded', 'orange'],
  [UNHEALTHY, 'unhealthy', 'red'],
]);

/** The first row: the service's health and its golden signals at a glance. */
export function overviewRow(): RowSpec {
  return {
    id: 100,
    title: 'Overview',
    panels: [
      stat(
        'Health',
        'Worst overall health of the selected instances (health_status{component="overall"}), as /health reports it.',
        'none',
        query(aggregate('min', [], selector(HEALTH, S, [eq(COMPONENT, OVERALL)])), ''),
        {
          mappings: [HEALTH_MAPPING],
          thresholds: thresholds('red', [DEGRADED, 'orange'], [HEALTHY, 'green']),
        },
      ),
      stat('Request rate', 'Requests served per second.', 'reqps', query(requestRate(S, []), '')),
      stat(
        'Server error ratio',
        'Share of requests answered with a 5xx status.',
        'percentunit',
        query(requestErrorRatio(S, []), ''),
        { thresholds: thresholds('green', [0.01, 'orange'], [0.05, 'red']) },
      ),
      stat(
        'p99 latency',
        'The 99th percentile of request duration, over every route.',
        's',
        query(requestLatencyQuantile(0.99, S, []), ''),
      ),
      stat(
        'Open breakers',
        'Circuit breakers open now (rejecting calls).',
        'short',
        query(
          `count(${selector(metricName(CATALOG.circuitBreakerState), S)} == ${BREAKER_STATE.open}) or vector(0)`,
          '',
        ),
        { thresholds: thresholds('green', [1, 'red']) },
      ),
      stat(
        'Cache hit ratio',
        'Hits / (hits + misses) over every cache.',
        'percentunit',
        query(cacheHitRatio(S, []), ''),
        { thresholds: thresholds('red', [0.5, 'orange'], [0.8, 'green']) },
      ),
      timeseries(
        'Health by component',
        'health_status per component (1 healthy, 0.5 degraded, 0 unhealthy); the lowest across instances.',
        'none',
        [query(aggregate('min', [COMPONENT], selector(HEALTH, S)), legend(COMPONENT))],
        { width: 24, height: 6, min: UNHEALTHY, max: HEALTHY, steps: true, mappings: [HEALTH_MAPPING] },
      ),
    ],
  };
}
