import { type RequestMeasurement, type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { methodLabel, UNMATCHED_ROUTE } from './route.js';

/**
 * Request metrics for a framework without an adapter of its own (Koa, Hono, a custom router): `start()`
 * when a request arrives, `finish()` when its response closes. It records what the adapters record
 * (`request_duration_seconds`, `requests_total`, `requests_in_flight`), with the same label rules.
 */
export interface RequestMetrics {
  /**
   * Starts measuring one request: counts it in flight under its method and route until `finish()`.
   * `method` is the HTTP method as received (non-standard ones are recorded as `_OTHER`); `route` is the
   * route template (never the raw path), or set later with `setRoute()`.
   * @param route - the route template. @default 'unmatched'
   */
  start(method: string, route?: string): RequestMeasurement;
  /** Stops reporting these metrics' in-flight gauges and counters. */
  dispose(): void;
}

/**
 * Creates request metrics to drive by hand.
 *
 * @example
 * const metrics = createRequestMetrics();
 * const measurement = metrics.start(request.method, '/v1/chat');
 * response.on('close', () =>
 *   measurement.finish(response.statusCode, { clientClosed: !response.writableFinished }),
 * );
 */
export function createRequestMetrics(options: RequestMetricsOptions = {}): RequestMetrics {
  const recorder = new RequestRecorder(options);
  return {
    start: (method, route = UNMATCHED_ROUTE) => recorder.start(methodLabel(method), route),
    dispose: () => recorder.dispose(),
  };
}
