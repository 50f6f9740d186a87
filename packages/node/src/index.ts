export type { ResolvedConfig } from './config.js';
export type {
  OtlpOptions,
  OtlpProtocol,
  PrometheusOptions,
  RuntimeMetricsOptions,
  TelemetryOptions,
  TraceBatchOptions,
  TraceOtlpOptions,
  TracePropagator,
  TracingOptions,
} from './options.js';
export { createOtlpMetricExporter, type OtlpMetricExporterOptions } from './otlp.js';
export { createMetricProducer } from './producer.js';
export { startTelemetry, type Telemetry } from './start-telemetry.js';
export { KNOWN_SAMPLERS, type ResolvedTracingConfig } from './trace-config.js';
export { sightglassViews } from './views.js';
