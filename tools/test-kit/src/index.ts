export { findBinary, requireBinary, run } from './binaries.js';
export { startChromium } from './chromium.js';
export { requireFromCommonJs } from './commonjs.js';
export { type Family, parseExposition, type Sample } from './exposition.js';
export { type FixedMetricProducerOptions, fixedMetricProducer } from './fixed-metric-producer.js';
export { collectMetrics, createTestMeter, type TestMeter, type TestMeterOptions } from './meter.js';
export { NODE_TOOLS_DIR, nodeBinary } from './node-binary.js';
export {
  decodeMetricsRequest,
  type OtlpDataPoint,
  type OtlpExportRequest,
  type OtlpMetric,
  type OtlpReceiver,
  startOtlpGrpcReceiver,
  startOtlpHttpReceiver,
} from './otlp-receiver.js';
export {
  type OtlpServer,
  type ReceivedExport,
  startOtlpGrpcServer,
  startOtlpHttpServer,
} from './otlp-servers.js';
export {
  decodeTraceRequest,
  type OtlpSpan,
  type OtlpTraceReceiver,
  type OtlpTraceRequest,
  startOtlpTraceGrpcReceiver,
  startOtlpTraceHttpReceiver,
} from './otlp-trace-receiver.js';
export { freePort, waitFor } from './ports.js';
export {
  prometheusBinary,
  promtoolBinary,
  promtoolCheckMetrics,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus.js';
export { type PromtoolRulesResult, promtoolCheckRules, promtoolTestRules } from './promtool-rules.js';
export { type ParsedFamily, parseWithPrometheusClient, pythonPrometheusClient } from './python-parsers.js';
export { type RunningRedis, redisBinary, startRedis } from './redis.js';
export { SPEC_METRICS } from './spec.js';
export {
  eventsOf,
  type FailingSpanProcessor,
  failingSpanProcessor,
  startTracing,
  type Tracing,
} from './tracing.js';
