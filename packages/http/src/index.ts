export { createRequestMetrics, type RequestMetrics } from './create-request-metrics.js';
export { type RequestMetricsMiddleware, requestMetrics } from './express.js';
export { fastifyRequestMetrics } from './fastify.js';
export {
  type InstrumentedRequestListener,
  instrumentHttpServer,
  instrumentRequestListener,
  type NodeHttpMetricsOptions,
} from './node-http.js';
export { type RequestMeasurement, type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
export {
  CLIENT_CLOSED_STATUS,
  compileRoutes,
  methodLabel,
  OTHER_METHOD,
  type RouteMatcher,
  UNMATCHED_ROUTE,
} from './route.js';
