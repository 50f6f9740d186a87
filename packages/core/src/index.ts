export {
  CATALOG,
  type CatalogKey,
  catalogEntries,
  DEFAULT_CARDINALITY_LIMIT,
  GENAI_DURATION_BUCKETS_SECONDS,
  GENAI_PER_TOKEN_BUCKETS_SECONDS,
  GENAI_SEMCONV_VERSION,
  GENAI_TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS,
  GENAI_TOKEN_BUCKETS,
  type InstrumentKind,
  type LabelsOf,
  type LabelValues,
  type MetricDefinition,
  type MetricDefinitionOf,
  MODEL_LOAD_BUCKETS_SECONDS,
  POOL_WAIT_BUCKETS_SECONDS,
  type PrometheusType,
  prometheusName,
  prometheusType,
  REQUEST_DURATION_BUCKETS_SECONDS,
} from './catalog.js';
export { ErrorCode, MAX_NAME_LENGTH, SightglassError, validateName } from './errors.js';
export { escapeLabelValue, prometheusLabelName } from './exposition-text.js';
export { guard, reportInstrumentationError } from './guard.js';
export {
  DEFAULT_HEALTH_MAX_AGE_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type EvaluateOptions,
  type HealthCheck,
  type HealthCheckReport,
  type HealthCheckResult,
  HealthComponent,
  HealthRegistry,
  type HealthReport,
  type HealthStatus,
  healthRegistry,
  healthStatusValue,
  type ReadinessGate,
  type ReadinessReport,
  worseStatus,
} from './health.js';
export { type HealthStatusMetricsOptions, startHealthStatusMetrics } from './health-metrics.js';
export { HistogramCell, type HistogramExemplar, type HistogramSnapshot } from './histogram-cell.js';
export { createInstrument, type InstrumentFor } from './instruments.js';
export { LabelGuard, type LabelGuardOptions, OVERFLOW_LABEL_VALUE } from './label-guard.js';
export {
  type BoundHistogram,
  createMetricGroup,
  type HistogramRecorder,
  type HistogramRecorderOptions,
  histogramRecorder,
  type MetricGroup,
  type MetricGroupOptions,
} from './metric-group.js';
export {
  CounterCell,
  type GaugeReader,
  METER_NAME,
  MetricRegistry,
  type MetricSnapshot,
  metricRegistry,
  REGISTRY_PRODUCER_MARK,
  readsMetricRegistry,
  type SeriesSnapshot,
} from './metric-registry.js';
export {
  ATTR_ERROR_TYPE,
  addSpanEvent,
  ERROR_TYPE_OTHER,
  recordingSpan,
  recordWithSpan,
  sampledSpanContext,
  spanErrorType,
} from './span-events.js';
export { SIGHTGLASS_VERSION } from './version.js';
