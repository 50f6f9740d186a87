/**
 * The nine metrics of the product spec exactly as Prometheus must show them: name, type, labels. Written out
 * here by hand, independently of the catalog, so tests can hold the catalog and the exposition to it.
 */
export const SPEC_METRICS: ReadonlyArray<readonly [name: string, type: string, labels: readonly string[]]> = [
  ['circuit_breaker_state', 'gauge', ['breaker_name']],
  ['circuit_breaker_failures_total', 'counter', ['breaker_name']],
  ['connection_pool_active_connections', 'gauge', ['pool_name']],
  ['connection_pool_utilization_percent', 'gauge', ['pool_name']],
  ['cache_hits_total', 'counter', ['cache_name']],
  ['cache_misses_total', 'counter', ['cache_name']],
  ['cache_hit_rate_percent', 'gauge', ['cache_name']],
  ['request_duration_seconds', 'histogram', ['method', 'route', 'status']],
  ['requests_total', 'counter', ['method', 'route', 'status']],
];
