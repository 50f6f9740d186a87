export { mergeMetricFamilies, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
export { type ExpressHandler, metricsMiddleware } from './express.js';
export { type FastifyMetricsOptions, fastifyMetrics } from './fastify.js';
export { type HttpResponseParts, type MetricsHandlerOptions, metricsResponse } from './metrics-response.js';
export { createMetricsHandler } from './node-http.js';
export {
  createPrometheusReader,
  defaultPrometheusReader,
  PrometheusReader,
  type PrometheusReaderOptions,
  setDefaultPrometheusReader,
} from './reader.js';
export {
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  type MetricsServer,
  type MetricsServerOptions,
  startMetricsServer,
  validatePort,
} from './server.js';
