export { createDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
export {
  type Column,
  type DashboardData,
  DashboardHistory,
  type DashboardHistoryOptions,
} from './dashboard-history.js';
export type { LlmModelPoint, LlmPoint, LoadedModelPoint } from './dashboard-llm-sample.js';
export type {
  BreakerPoint,
  CachePoint,
  DashboardSample,
  PoolPoint,
  RequestsPoint,
} from './dashboard-sample.js';
export type { SlowRequest, SlowRequestsData } from './dashboard-slow-requests.js';
export {
  type ExpositionFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from './exposition-format.js';
export { type ExpressHandler, expressMetrics } from './express.js';
export {
  type FastifyHealthOptions,
  type FastifyLike,
  type FastifyMetricsOptions,
  type FastifyReplyLike,
  fastifyHealth,
  fastifyMetrics,
} from './fastify.js';
export {
  type HealthEndpointOptions,
  healthResponse,
  livenessResponse,
  markNotReady,
  readinessResponse,
} from './health-response.js';
export {
  type HttpResponseParts,
  type MetricsHandlerOptions,
  metricsResponse,
  type ScrapeRequest,
} from './metrics-response.js';
export { createHealthHandlers, createMetricsHandler, type HealthHandlers } from './node-http.js';
export { createPrometheusReader, type PrometheusReader, type PrometheusReaderOptions } from './reader.js';
export {
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  type MetricsServer,
  type MetricsServerOptions,
  startMetricsServer,
} from './server.js';
