/**
 * Node.js runtime metrics as Prometheus scrapes them. They are not Sightglass's own (so not in the core
 * catalog): `@sightglass/node`'s `startTelemetry({ runtimeMetrics })` turns on
 * `@opentelemetry/instrumentation-runtime-node` (0.36), whose OTel names (`nodejs.eventloop.delay.p99`,
 * `v8js.memory.heap.used`, ...) exporter-prometheus 0.223 scrapes with dots as `_`, `_total` on counters
 * and no unit suffix. Read off a real `/metrics` of `startTelemetry()`; the dashboard's runtime row is the
 * only place that uses them.
 */
export const RUNTIME_METRICS = Object.freeze({
  /** Event-loop delay percentiles in seconds (gauges). */
  eventLoopDelayP50: 'nodejs_eventloop_delay_p50',
  eventLoopDelayP90: 'nodejs_eventloop_delay_p90',
  eventLoopDelayP99: 'nodejs_eventloop_delay_p99',
  /** Largest event-loop delay in the sampling window, in seconds (gauge). */
  eventLoopDelayMax: 'nodejs_eventloop_delay_max',
  /** Event-loop utilization, 0..1 (gauge). */
  eventLoopUtilization: 'nodejs_eventloop_utilization',
  /** Heap bytes in use, by `v8js_heap_space_name` (gauge). */
  heapUsed: 'v8js_memory_heap_used',
  /** Heap bytes reserved, by `v8js_heap_space_name` (gauge). */
  heapSpaceSize: 'v8js_memory_heap_space_size',
  /** Garbage-collection pauses in seconds, by `v8js_gc_type` (histogram: `_bucket`, `_sum`, `_count`). */
  gcDuration: 'v8js_gc_duration',
  /** Handles keeping the event loop alive, by `v8js_resource_type` (gauge). */
  activeResources: 'v8js_resource_active',
} as const);

/** The labels of the runtime metrics the dashboard groups by. */
export const RUNTIME_LABELS = Object.freeze({
  gcType: 'v8js_gc_type',
  heapSpace: 'v8js_heap_space_name',
  resourceType: 'v8js_resource_type',
} as const);

/** Every runtime metric family name the dashboard may query (histogram series included). */
export function runtimeMetricNames(): readonly string[] {
  const gc = RUNTIME_METRICS.gcDuration;
  return [...Object.values(RUNTIME_METRICS), `${gc}_bucket`, `${gc}_sum`, `${gc}_count`];
}
