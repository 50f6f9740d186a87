import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, stat, thresholds, timeseries } from '../panels.js';
import {
  aggregate,
  histogramQuantile,
  increase,
  labelOf,
  metricName,
  rate,
  ratio,
  DASHBOARD_SCOPE as S,
  selector,
  sumBy,
} from '../promql.js';
import { cacheHitRatio } from '../signals.js';

const CACHE = labelOf(CATALOG.cacheHits, 'cache_name');
const REASON = labelOf(CATALOG.cacheEvictions, 'reason');
const OPERATION = labelOf(CATALOG.cacheErrors, 'operation');

const HIT_RATIO_THRESHOLDS = thresholds('red', [0.5, 'orange'], [0.8, 'green']);

function perSecond(
  metric: string,
  suffix: string,
  by: readonly string[] = [CACHE],
): ReturnType<typeof query> {
  return query(sumBy(by, rate(metric, S)), `${legend(...by)}${suffix}`);
}

/** Caches (@sightglass/cache): hit ratio, traffic, size, loads, stale serves and warm-ups. */
export function cachesRow(): RowSpec {
  const loadBucket = metricName(CATALOG.cacheLoadDurationSeconds, 'bucket');
  const warm = CATALOG.cacheWarmDurationSeconds;
  return {
    id: 400,
    title: 'Caches',
    panels: [
      stat(
        'Hit ratio',
        'Hits / (hits + misses) per cache, from the counters.',
        'percentunit',
        query(cacheHitRatio(S, [CACHE]), legend(CACHE)),
        { width: 8, height: 8, min: 0, max: 1, thresholds: HIT_RATIO_THRESHOLDS },
      ),
      timeseries(
        'Hit ratio over time',
        'Hits / (hits + misses) per cache from the counters (solid), and the in-process sliding-window gauge cache_hit_rate_percent / 100 (absent while a cache sees no lookups).',
        'percentunit',
        [
          query(cacheHitRatio(S, [CACHE]), legend(CACHE)),
          query(
            `${aggregate('avg', [CACHE], selector(metricName(CATALOG.cacheHitRatePercent), S))} / 100`,
            `${legend(CACHE)} window`,
          ),
        ],
        { min: 0, max: 1 },
      ),
      timeseries('Lookups and writes', 'Hits, misses and sets per second.', 'ops', [
        perSecond(metricName(CATALOG.cacheHits), ' hits'),
        perSecond(metricName(CATALOG.cacheMisses), ' misses'),
        perSecond(metricName(CATALOG.cacheSets), ' sets'),
      ]),
      timeseries('Entries', 'Entries held by each in-memory cache.', 'short', [
        query(aggregate('sum', [CACHE], selector(metricName(CATALOG.cacheEntries), S)), legend(CACHE)),
      ]),
      timeseries(
        'Evictions',
        'Entries a cache removed by itself, per second: evicted for room, or expired.',
        'ops',
        [perSecond(metricName(CATALOG.cacheEvictions), '', [CACHE, REASON])],
      ),
      timeseries(
        'Load duration',
        'p50, p95 and p99 of the time a loader took to produce a value on a miss.',
        's',
        [0.5, 0.95, 0.99].map((q) =>
          query(histogramQuantile(q, loadBucket, [CACHE], S), `${legend(CACHE)} p${Math.round(q * 100)}`),
        ),
      ),
      timeseries(
        'Failures',
        'Loads that threw or timed out, and store operations that failed, per second.',
        'ops',
        [
          perSecond(metricName(CATALOG.cacheLoadFailures), ' load failures'),
          perSecond(metricName(CATALOG.cacheErrors), ' store errors', [CACHE, OPERATION]),
        ],
      ),
      timeseries(
        'Stale served',
        'Stale values served while a background load refreshed them, per second.',
        'ops',
        [perSecond(metricName(CATALOG.cacheStaleServed), '')],
      ),
      timeseries('Warm-up', 'Entries each warm-up loaded and failed to load.', 'short', [
        query(sumBy([CACHE], increase(metricName(CATALOG.cacheWarmEntries), S)), `${legend(CACHE)} loaded`),
        query(sumBy([CACHE], increase(metricName(CATALOG.cacheWarmFailures), S)), `${legend(CACHE)} failed`),
      ]),
      timeseries(
        'Warm-up duration',
        'Average time of the warm-up passes that ran in each interval.',
        's',
        [
          query(
            ratio(
              sumBy([CACHE], rate(metricName(warm, 'sum'), S)),
              sumBy([CACHE], rate(metricName(warm, 'count'), S)),
            ),
            legend(CACHE),
          ),
        ],
        { width: 12 },
      ),
      timeseries(
        'Time since last good warm-up',
        'Seconds since the last warm-up pass that finished without a failure.',
        's',
        [
          query(
            `time() - ${aggregate('max', [CACHE], selector(metricName(CATALOG.cacheWarmLastSuccessTimestampSeconds), S))}`,
            legend(CACHE),
          ),
        ],
        { width: 12 },
      ),
    ],
  };
}
