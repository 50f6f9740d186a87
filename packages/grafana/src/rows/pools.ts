import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, stat, thresholds, timeseries } from '../panels.js';
import { aggregate, labelOf, metricName, rate, DASHBOARD_SCOPE as S, selector, sumBy } from '../promql.js';
import { poolUtilization } from '../signals.js';

const POOL = labelOf(CATALOG.connectionPoolActiveConnections, 'pool_name');

/** The share of connections in use at which a pool turns orange and red (the alert fires at 90). */
const UTILIZATION_THRESHOLDS = thresholds('green', [75, 'orange'], [90, 'red']);

function gauge(metric: string): string {
  return aggregate('sum', [POOL], selector(metric, S));
}

/** Connection pools (the Ollama client's undici pool, and any other pool reporting the catalog's metrics). */
export function poolsRow(): RowSpec {
  return {
    id: 300,
    title: 'Connection pools',
    panels: [
      stat(
        'Pool utilization',
        'Connections in use as a share of the most the pool opens, now (worst across instances).',
        'percent',
        query(poolUtilization(S, [POOL]), legend(POOL)),
        { width: 8, height: 8, min: 0, max: 100, thresholds: UTILIZATION_THRESHOLDS },
      ),
      timeseries(
        'Pool utilization over time',
        'Connections in use / max connections, per pool (worst across instances).',
        'percent',
        [query(poolUtilization(S, [POOL]), legend(POOL))],
        { min: 0, max: 100, thresholds: UTILIZATION_THRESHOLDS },
      ),
      timeseries(
        'Connections',
        'Active (running a request) and idle connections, and the most the pool opens.',
        'short',
        [
          query(gauge(metricName(CATALOG.connectionPoolActiveConnections)), `${legend(POOL)} active`),
          query(gauge(metricName(CATALOG.connectionPoolIdleConnections)), `${legend(POOL)} idle`),
          query(gauge(metricName(CATALOG.connectionPoolMaxConnections)), `${legend(POOL)} max`),
        ],
      ),
      timeseries(
        'Pending requests',
        'Requests waiting for a free connection; anything lasting above zero means the pool is too small.',
        'short',
        [query(gauge(metricName(CATALOG.connectionPoolPendingRequests)), legend(POOL))],
        { min: 0 },
      ),
      timeseries('Connection churn', 'Connections opened and closed per second.', 'ops', [
        query(
          sumBy([POOL], rate(metricName(CATALOG.connectionPoolConnectionsOpened), S)),
          `${legend(POOL)} opened`,
        ),
        query(
          sumBy([POOL], rate(metricName(CATALOG.connectionPoolConnectionsClosed), S)),
          `${legend(POOL)} closed`,
        ),
      ]),
      timeseries('Connection errors', 'Connections that failed to open or broke, per second.', 'ops', [
        query(sumBy([POOL], rate(metricName(CATALOG.connectionPoolConnectionErrors), S)), legend(POOL)),
      ]),
    ],
  };
}
