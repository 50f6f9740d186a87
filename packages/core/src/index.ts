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
  prometheusName,
  REQUEST_DURATION_BUCKETS_SECONDS,
} from './catalog.js';
export { ErrorCode, SightglassError } from './errors.js';

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
  type ReadinessGate,
  type ReadinessReport,
} from './health.js';
export { type HealthStatusMetricsOptions, startHealthStatusMetrics } from './health-metrics.js';
export { HistogramCell, type HistogramExemplar, type HistogramSnapshot } from './histogram-cell.js';
export { createInstrument, type InstrumentFor } from './instruments.js';

export { type LabelGuardOptions, OVERFLOW_LABEL_VALUE } from './label-guard.js';
export {
  type BoundHistogram,
  createHistogramRecorder,
  createMetricGroup,
  type HistogramRecorder,
  type HistogramRecorderOptions,
  type MetricGroup,
  type MetricGroupOptions,
} from './metric-group.js';
export {
  CounterCell,
  type GaugeReader,
  MetricRegistry,
  type MetricSnapshot,
  metricRegistry,
  type SeriesSnapshot,
} from './metric-registry.js';

export { recordWithSpan } from './span-events.js';
export { SIGHTGLASS_VERSION } from './version.js';
