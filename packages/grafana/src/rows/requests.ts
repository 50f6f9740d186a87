import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, timeseries } from '../panels.js';
import { aggregate, labelOf, metricName, rate, DASHBOARD_SCOPE as S, selector, sumBy } from '../promql.js';
import {
  LATENCY_QUANTILES,
  quantileName,
  requestErrorRatio,
  requestLatencyQuantile,
  requestRate,
} from '../signals.js';
import { TRACE_QUERIES } from '../traces.js';

const STATUS = labelOf(CATALOG.requests, 'status');
const ROUTE = labelOf(CATALOG.requests, 'route');
const METHOD = labelOf(CATALOG.requests, 'method');
const OUTCOME = labelOf(CATALOG.responseStreams, 'outcome');

/** HTTP requests the service serves (@sightglass/http): rate, errors, latency, in flight. */
export function requestsRow(): RowSpec {
  const half = { width: 12 } as const;
  return {
    id: 500,
    title: 'Requests (HTTP)',
    panels: [
      timeseries(
        'Request rate by status',
        'Requests served per second, by status code.',
        'reqps',
        [query(requestRate(S, [STATUS]), legend(STATUS))],
        half,
      ),
      timeseries(
        'Server error ratio by route',
        'Share of each route’s requests answered with a 5xx status.',
        'percentunit',
        [query(requestErrorRatio(S, [ROUTE]), legend(ROUTE))],
        { ...half, min: 0 },
      ),
      timeseries(
        'Latency',
        'p50, p95 and p99 of request duration over every route (from request_duration_seconds_bucket); the points, where Prometheus stores exemplars, are requests whose trace was sampled.',
        's',
        LATENCY_QUANTILES.map((q) => query(requestLatencyQuantile(q, S, []), quantileName(q))),
        { ...half, traces: TRACE_QUERIES.requests },
      ),
      timeseries(
        'p99 latency by route',
        'The 99th percentile of request duration per route.',
        's',
        [query(requestLatencyQuantile(0.99, S, [ROUTE]), legend(ROUTE))],
        { ...half, traces: TRACE_QUERIES.requests },
      ),
      timeseries(
        'Request rate by route',
        'Requests served per second, by method and route template.',
        'reqps',
        [query(requestRate(S, [METHOD, ROUTE]), legend(METHOD, ROUTE))],
        half,
      ),
      timeseries(
        'In flight',
        'Requests being served now, by route.',
        'short',
        [query(aggregate('sum', [ROUTE], selector(metricName(CATALOG.requestsInFlight), S)), legend(ROUTE))],
        { ...half, min: 0 },
      ),
      timeseries(
        'Streams by outcome',
        'Streamed responses ended per second, by route and outcome. A stream’s status is the 200 sent before ' +
          'its first chunk: failed and idle_timeout are the ones that broke off after it.',
        'ops',
        [
          query(
            sumBy([ROUTE, OUTCOME], rate(metricName(CATALOG.responseStreams), S)),
            legend(ROUTE, OUTCOME),
          ),
        ],
        { ...half, min: 0 },
      ),
    ],
  };
}
