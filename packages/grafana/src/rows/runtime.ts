import { legend, query, type RowSpec, timeseries } from '../panels.js';
import { aggregate, histogramQuantile, rate, DASHBOARD_SCOPE as S, selector, sumBy } from '../promql.js';
import { RUNTIME_LABELS, RUNTIME_METRICS } from '../runtime-metrics.js';

const PER_INSTANCE = ['job', 'instance'] as const;

function perInstance(metric: string, suffix: string): ReturnType<typeof query> {
  return query(aggregate('max', PER_INSTANCE, selector(metric, S)), `${legend('instance')}${suffix}`);
}

/** The Node.js process (@opentelemetry/instrumentation-runtime-node through @sightglass/node). */
export function runtimeRow(): RowSpec {
  const gc = RUNTIME_METRICS.gcDuration;
  return {
    id: 800,
    title: 'Node.js runtime',
    panels: [
      timeseries(
        'Event-loop delay',
        'How late timers fire: p50, p90, p99 and max of the sampling window.',
        's',
        [
          perInstance(RUNTIME_METRICS.eventLoopDelayP50, ' p50'),
          perInstance(RUNTIME_METRICS.eventLoopDelayP90, ' p90'),
          perInstance(RUNTIME_METRICS.eventLoopDelayP99, ' p99'),
          perInstance(RUNTIME_METRICS.eventLoopDelayMax, ' max'),
        ],
      ),
      timeseries(
        'Event-loop utilization',
        'Share of time the event loop was busy; near 100% the process cannot keep up.',
        'percentunit',
        [perInstance(RUNTIME_METRICS.eventLoopUtilization, '')],
        { min: 0, max: 1 },
      ),
      timeseries('Heap', 'V8 heap in use and reserved, over every heap space.', 'bytes', [
        query(sumBy(PER_INSTANCE, selector(RUNTIME_METRICS.heapUsed, S)), `${legend('instance')} used`),
        query(sumBy(PER_INSTANCE, selector(RUNTIME_METRICS.heapSpaceSize, S)), `${legend('instance')} size`),
      ]),
      timeseries(
        'Time in GC',
        'Share of wall-clock time spent in garbage collection, by GC type.',
        'percentunit',
        [
          query(
            sumBy([...PER_INSTANCE, RUNTIME_LABELS.gcType], rate(`${gc}_sum`, S)),
            legend('instance', RUNTIME_LABELS.gcType),
          ),
        ],
      ),
      timeseries('GC pause p99', 'The 99th percentile of garbage-collection pauses.', 's', [
        query(histogramQuantile(0.99, `${gc}_bucket`, PER_INSTANCE, S), legend('instance')),
      ]),
      timeseries(
        'Active resources',
        'Handles keeping the event loop alive (sockets, timers, ...), by type.',
        'short',
        [
          query(
            sumBy(
              [...PER_INSTANCE, RUNTIME_LABELS.resourceType],
              selector(RUNTIME_METRICS.activeResources, S),
            ),
            legend('instance', RUNTIME_LABELS.resourceType),
          ),
        ],
      ),
    ],
  };
}
