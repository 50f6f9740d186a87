import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, stat, thresholds, timeseries, valueMapping } from '../panels.js';
import {
  aggregate,
  increase,
  labelOf,
  metricName,
  rate,
  DASHBOARD_SCOPE as S,
  selector,
  sumBy,
} from '../promql.js';
import { BREAKER_STATE, breakerState } from '../signals.js';

const BREAKER = labelOf(CATALOG.circuitBreakerState, 'breaker_name');
const OUTCOME = labelOf(CATALOG.circuitBreakerCalls, 'outcome');
const TO = labelOf(CATALOG.circuitBreakerStateTransitions, 'to');
const POLICY = labelOf(CATALOG.retryAttempts, 'policy_name');

const STATE_MAPPING = valueMapping([
  [BREAKER_STATE.closed, 'closed', 'green'],
  [BREAKER_STATE.open, 'open', 'red'],
  [BREAKER_STATE.halfOpen, 'half-open', 'orange'],
]);

/** Circuit breakers, and the retry, timeout and bulkhead policies around them (@sightglass/resilience). */
export function breakersRow(): RowSpec {
  return {
    id: 200,
    title: 'Circuit breakers and resilience',
    panels: [
      stat(
        'Breaker state',
        'State of each breaker now (worst across instances): closed, open (rejecting calls) or half-open (probing).',
        'none',
        query(breakerState(S, [BREAKER]), legend(BREAKER)),
        {
          width: 8,
          height: 8,
          mappings: [STATE_MAPPING],
          thresholds: thresholds('green', [BREAKER_STATE.open, 'red'], [BREAKER_STATE.halfOpen, 'orange']),
        },
      ),
      timeseries(
        'Breaker state over time',
        '0 closed, 1 open, 2 half-open.',
        'none',
        [query(breakerState(S, [BREAKER]), legend(BREAKER))],
        { min: 0, max: 2, steps: true, mappings: [STATE_MAPPING] },
      ),
      timeseries(
        'Calls by outcome',
        'Calls through each breaker per second: success, failure, ignored, rejected (short-circuited while open).',
        'ops',
        [
          query(
            sumBy([BREAKER, OUTCOME], rate(metricName(CATALOG.circuitBreakerCalls), S)),
            legend(BREAKER, OUTCOME),
          ),
        ],
      ),
      timeseries('Breaker failures', 'Failures each breaker counted, per second.', 'ops', [
        query(sumBy([BREAKER], rate(metricName(CATALOG.circuitBreakerFailures), S)), legend(BREAKER)),
      ]),
      timeseries('State transitions', 'Breaker state changes, by the state entered.', 'short', [
        query(
          sumBy([BREAKER, TO], increase(metricName(CATALOG.circuitBreakerStateTransitions), S)),
          `${legend(BREAKER)} → ${legend(TO)}`,
        ),
      ]),
      timeseries('Retries', 'Retries scheduled, and calls a retry policy gave up on, per second.', 'ops', [
        query(sumBy([POLICY], rate(metricName(CATALOG.retryAttempts), S)), `${legend(POLICY)} retries`),
        query(sumBy([POLICY], rate(metricName(CATALOG.retryExhausted), S)), `${legend(POLICY)} gave up`),
      ]),
      timeseries('Timeouts', 'Calls a timeout policy cut off, per second.', 'ops', [
        query(sumBy([POLICY], rate(metricName(CATALOG.timeouts), S)), legend(POLICY)),
      ]),
      timeseries(
        'Bulkhead occupancy',
        'Calls running inside each bulkhead, and calls waiting in its queue.',
        'short',
        [
          query(
            aggregate('sum', [POLICY], selector(metricName(CATALOG.bulkheadActive), S)),
            `${legend(POLICY)} active`,
          ),
          query(
            aggregate('sum', [POLICY], selector(metricName(CATALOG.bulkheadQueued), S)),
            `${legend(POLICY)} queued`,
          ),
        ],
      ),
      timeseries(
        'Bulkhead rejections',
        'Calls rejected because a bulkhead and its queue were full, per second.',
        'ops',
        [query(sumBy([POLICY], rate(metricName(CATALOG.bulkheadRejections), S)), legend(POLICY))],
      ),
    ],
  };
}
