export { createRequestMetrics, type RequestMetrics } from './create-request-metrics.js';
export { expressRequestMetrics, type RequestMetricsMiddleware } from './express.js';
export {
  type FastifyLike,
  type FastifyReplyLike,
  type FastifyRequestWithRaw,
  fastifyRequestMetrics,
} from './fastify.js';
export type { FastifyRequestLike } from './fastify-internals.js';
export {
  type InstrumentedRequestListener,
  instrumentHttpServer,
  instrumentRequestListener,
  type NodeHttpMetricsOptions,
} from './node-http.js';
export type { FinishOptions, RequestMeasurement, RequestMetricsOptions } from './request-recorder.js';
export { CLIENT_CLOSED_STATUS, OTHER_METHOD, UNMATCHED_ROUTE } from './route.js';
