/**
 * The metric catalog: the single place where a Sightglass metric's name, instrument, unit, description,
 * labels and bucket boundaries are written down. Instruments, views, docs/metrics.md, dashboards and the
 * conformance tests are all derived from this table, so a metric name appears nowhere else as a literal.
 *
 * Names are the final Prometheus base names. Under the naming rule of `@opentelemetry/exporter-prometheus`
 * characters outside `[a-zA-Z0-9_]` become `_`, monotonic counters gain `_total` (never twice) and no unit
 * suffix is ever appended, so an OTel counter named `cache_hits` is scraped as `cache_hits_total`. The rule
 * is copied in @sightglass/prometheus's exporter-prometheus-internals.ts, whose canary checks every entry
 * here against the exporter.
 */

/** The OpenTelemetry instrument a catalog entry is reported through. */
export type InstrumentKind = 'counter' | 'gauge' | 'histogram';

/** The Prometheus metric type a catalog entry shows up as. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/** One metric of the catalog. `Label` is the union of its label names. */
export interface MetricDefinition<Label extends string = string> {
  /** The OTel instrument name; also the Prometheus base name (before `_total`). */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit (`s`, `By`, `{request}`); never `1` on a gauge, which OTLP translators turn into `_ratio`. */
  readonly unit: string;
  readonly description: string;
  /** Label (attribute) names, in the order they are documented. */
  readonly labels: readonly Label[];
  /** Explicit bucket boundaries, in the metric's unit. Histograms only. */
  readonly boundaries?: readonly number[];
  /** Distinct label sets kept per collection before the SDK folds the rest into an overflow series. */
  readonly cardinalityLimit?: number;
}

/** The label names of a catalog entry. */
export type LabelsOf<D> = D extends MetricDefinition<infer L> ? L : never;

/** A label set for a catalog entry: every declared label, as a string. */
export type LabelValues<D> = { readonly [K in LabelsOf<D>]: string };

/**
 * Request-latency buckets in seconds, shaped for services in front of an LLM: fine steps under a second
 * for cached answers, then steps up to two minutes for long generations.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120,
]);

/**
 * The OpenTelemetry semantic conventions version the GenAI metrics follow: v1.41.0, the last release of the
 * GenAI conventions from open-telemetry/semantic-conventions (they now live in
 * open-telemetry/semantic-conventions-genai, whose unreleased main renames the client inference metrics to
 * `gen_ai.client.inference.*` and replaces `gen_ai.client.token.usage` by counters; not followed until released).
 */
export const GENAI_SEMCONV_VERSION = '1.41.0';

/**
 * Bucket boundaries the GenAI semantic conventions give, in seconds, for `gen_ai.client.operation.duration`,
 * `gen_ai.client.operation.time_to_first_chunk`, `gen_ai.client.operation.time_per_output_chunk` and
 * `gen_ai.server.request.duration`.
 */
export const GENAI_DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** Bucket boundaries the GenAI semantic conventions give for token counts (`gen_ai.client.token.usage`). */
export const GENAI_TOKEN_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** Bucket boundaries the GenAI semantic conventions give for `gen_ai.server.time_to_first_token`, in seconds. */
export const GENAI_TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** Bucket boundaries the GenAI semantic conventions give for `gen_ai.server.time_per_output_token`, in seconds. */
export const GENAI_PER_TOKEN_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5,
]);

/**
 * Model-load (cold start) buckets in seconds: a load is counted from a quarter of a second (below it Ollama
 * found the model loaded), and a large model from a cold disk can take minutes.
 */
export const MODEL_LOAD_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300,
]);

/**
 * Pool-wait buckets in seconds: a free connection takes microseconds, a new one a millisecond or so on a
 * LAN, and a call queued behind streams waits for one of them to end (seconds, minutes).
 */
export const POOL_WAIT_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
]);

/**
 * The attributes every GenAI metric has (semantic conventions v1.41.0, `metric_attributes.gen_ai`):
 * `gen_ai.operation.name` and `gen_ai.provider.name` required, `gen_ai.request.model` and `server.port`
 * conditionally required, `gen_ai.response.model` and `server.address` recommended.
 */
const GENAI_LABELS = [
  'gen_ai.operation.name',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'server.address',
  'server.port',
] as const;

/**
 * The attributes of the two GenAI metrics the conventions give `error.type` (conditionally required, when
 * the operation ended in an error): `gen_ai.client.operation.duration` and `gen_ai.server.request.duration`.
 */
const GENAI_LABELS_WITH_ERROR = [
  'gen_ai.operation.name',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'error.type',
  'server.address',
  'server.port',
] as const;

/** The default number of label sets kept per metric per collection (see `cardinalityLimit`). */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

/** A catalog entry whose instrument kind is known to the type system. */
export type MetricDefinitionOf<K extends InstrumentKind, L extends string = string> = MetricDefinition<L> & {
  readonly kind: K;
};

function define<const L extends string, const K extends InstrumentKind>(
  definition: MetricDefinition<L> & { kind: K },
): MetricDefinitionOf<K, L> {
  return Object.freeze({ ...definition, labels: Object.freeze([...definition.labels]) });
}

/** Every metric Sightglass reports, keyed by a stable identifier. */
export const CATALOG = Object.freeze({
  circuitBreakerState: define({
    name: 'circuit_breaker_state',
    kind: 'gauge',
    unit: '{state}',
    description: 'Current circuit breaker state (0=CLOSED, 1=OPEN, 2=HALF_OPEN)',
    labels: ['breaker_name'],
  }),
  circuitBreakerFailures: define({
    name: 'circuit_breaker_failures',
    kind: 'counter',
    unit: '{failure}',
    description: 'Total number of circuit breaker failures',
    labels: ['breaker_name'],
  }),
  circuitBreakerCalls: define({
    name: 'circuit_breaker_calls',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls through a circuit breaker by outcome (success, failure, ignored, rejected)',
    labels: ['breaker_name', 'outcome'],
  }),
  circuitBreakerStateTransitions: define({
    name: 'circuit_breaker_state_transitions',
    kind: 'counter',
    unit: '{transition}',
    description: 'Circuit breaker state changes (closed, open, half_open, isolated)',
    labels: ['breaker_name', 'from', 'to'],
  }),
  retryAttempts: define({
    name: 'retry_attempts',
    kind: 'counter',
    unit: '{attempt}',
    description: 'Retries scheduled by a retry policy (attempts after the first)',
    labels: ['policy_name'],
  }),
  retryExhausted: define({
    name: 'retry_exhausted',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls a retry policy gave up on (attempts used up, or the call was aborted)',
    labels: ['policy_name'],
  }),
  timeouts: define({
    name: 'timeouts',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls a timeout policy cut off',
    labels: ['policy_name'],
  }),
  bulkheadActive: define({
    name: 'bulkhead_active',
    kind: 'gauge',
    unit: '{call}',
    description: 'Calls running inside a bulkhead',
    labels: ['policy_name'],
  }),
  bulkheadQueued: define({
    name: 'bulkhead_queued',
    kind: 'gauge',
    unit: '{call}',
    description: 'Calls waiting in a bulkhead queue',
    labels: ['policy_name'],
  }),
  bulkheadRejections: define({
    name: 'bulkhead_rejections',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls a bulkhead rejected because it and its queue were full',
    labels: ['policy_name'],
  }),
  connectionPoolActiveConnections: define({
    name: 'connection_pool_active_connections',
    kind: 'gauge',
    unit: '{connection}',
    description: 'Number of active connections',
    labels: ['pool_name'],
  }),
  connectionPoolUtilizationPercent: define({
    name: 'connection_pool_utilization_percent',
    kind: 'gauge',
    unit: '%',
    description: 'Connection pool utilization percentage',
    labels: ['pool_name'],
  }),
  cacheHits: define({
    name: 'cache_hits',
    kind: 'counter',
    unit: '{hit}',
    description: 'Cache hits',
    labels: ['cache_name'],
  }),
  cacheMisses: define({
    name: 'cache_misses',
    kind: 'counter',
    unit: '{miss}',
    description: 'Cache misses',
    labels: ['cache_name'],
  }),
  cacheHitRatePercent: define({
    name: 'cache_hit_rate_percent',
    kind: 'gauge',
    unit: '%',
    description: 'Cache hit rate over a sliding window',
    labels: ['cache_name'],
  }),
  cacheSets: define({
    name: 'cache_sets',
    kind: 'counter',
    unit: '{entry}',
    description: 'Entries written to a cache (by set, a load or a warm-up)',
    labels: ['cache_name'],
  }),
  cacheEvictions: define({
    name: 'cache_evictions',
    kind: 'counter',
    unit: '{entry}',
    description: 'Entries a cache removed by itself: evicted for room, or expired',
    labels: ['cache_name', 'reason'],
  }),
  cacheEntries: define({
    name: 'cache_entries',
    kind: 'gauge',
    unit: '{entry}',
    description: 'Entries held by a cache (in-memory caches only)',
    labels: ['cache_name'],
  }),
  cacheLoadDurationSeconds: define({
    name: 'cache_load_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time a cache loader took to produce a value on a miss',
    labels: ['cache_name'],
    boundaries: REQUEST_DURATION_BUCKETS_SECONDS,
  }),
  cacheLoadFailures: define({
    name: 'cache_load_failures',
    kind: 'counter',
    unit: '{load}',
    description: 'Cache loads that threw or timed out (nothing was cached)',
    labels: ['cache_name'],
  }),
  cacheStaleServed: define({
    name: 'cache_stale_served',
    kind: 'counter',
    unit: '{lookup}',
    description: 'Stale values served while a background load refreshed them',
    labels: ['cache_name'],
  }),
  cacheWarmDurationSeconds: define({
    name: 'cache_warm_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time one cache warm-up pass took',
    labels: ['cache_name'],
    boundaries: REQUEST_DURATION_BUCKETS_SECONDS,
  }),
  cacheWarmEntries: define({
    name: 'cache_warm_entries',
    kind: 'counter',
    unit: '{entry}',
    description: 'Entries a warm-up loaded into a cache',
    labels: ['cache_name'],
  }),
  cacheWarmFailures: define({
    name: 'cache_warm_failures',
    kind: 'counter',
    unit: '{entry}',
    description: 'Entries a warm-up failed to load (and warm-up passes whose source failed)',
    labels: ['cache_name'],
  }),
  cacheWarmLastSuccessTimestampSeconds: define({
    name: 'cache_warm_last_success_timestamp_seconds',
    kind: 'gauge',
    unit: 's',
    description: 'Unix time of the last warm-up pass that finished without a failure',
    labels: ['cache_name'],
  }),
  cacheErrors: define({
    name: 'cache_errors',
    kind: 'counter',
    unit: '{error}',
    description: 'Cache store operations that failed (get, set, delete, has, clear)',
    labels: ['cache_name', 'operation'],
  }),
  connectionPoolIdleConnections: define({
    name: 'connection_pool_idle_connections',
    kind: 'gauge',
    unit: '{connection}',
    description: 'Connections open and idle, ready for the next request',
    labels: ['pool_name'],
  }),
  connectionPoolMaxConnections: define({
    name: 'connection_pool_max_connections',
    kind: 'gauge',
    unit: '{connection}',
    description: 'The most connections the pool opens',
    labels: ['pool_name'],
  }),
  connectionPoolPendingRequests: define({
    name: 'connection_pool_pending_requests',
    kind: 'gauge',
    unit: '{request}',
    description: 'Requests waiting for a connection',
    labels: ['pool_name'],
  }),
  connectionPoolConnectionsOpened: define({
    name: 'connection_pool_connections_opened',
    kind: 'counter',
    unit: '{connection}',
    description: 'Connections the pool opened',
    labels: ['pool_name'],
  }),
  connectionPoolConnectionsClosed: define({
    name: 'connection_pool_connections_closed',
    kind: 'counter',
    unit: '{connection}',
    description: 'Connections the pool closed (idle timeout, server close, error)',
    labels: ['pool_name'],
  }),
  connectionPoolConnectionErrors: define({
    name: 'connection_pool_connection_errors',
    kind: 'counter',
    unit: '{error}',
    description: 'Connections that failed to open or broke',
    labels: ['pool_name'],
  }),
  connectionPoolWaitDurationSeconds: define({
    name: 'connection_pool_wait_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description:
      'Time a request waited for a connection: from handing it to the pool to a connection starting to send it (queued for a free one, or opening one)',
    labels: ['pool_name'],
    boundaries: POOL_WAIT_BUCKETS_SECONDS,
  }),
  genAiClientOperationDuration: define({
    name: 'gen_ai.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    description: 'GenAI operation duration',
    labels: GENAI_LABELS_WITH_ERROR,
    boundaries: GENAI_DURATION_BUCKETS_SECONDS,
  }),
  genAiClientTokenUsage: define({
    name: 'gen_ai.client.token.usage',
    kind: 'histogram',
    unit: '{token}',
    description: 'Number of input and output tokens used',
    labels: [...GENAI_LABELS, 'gen_ai.token.type'],
    boundaries: GENAI_TOKEN_BUCKETS,
  }),
  genAiClientTimeToFirstChunk: define({
    name: 'gen_ai.client.operation.time_to_first_chunk',
    kind: 'histogram',
    unit: 's',
    description: 'Time from issuing a streaming request to receiving its first chunk (streams only)',
    labels: GENAI_LABELS,
    boundaries: GENAI_DURATION_BUCKETS_SECONDS,
  }),
  genAiClientTimePerOutputChunk: define({
    name: 'gen_ai.client.operation.time_per_output_chunk',
    kind: 'histogram',
    unit: 's',
    description:
      'Time between two chunks of a stream, recorded for each chunk after the first (streams only)',
    labels: GENAI_LABELS,
    boundaries: GENAI_DURATION_BUCKETS_SECONDS,
  }),
  genAiServerRequestDuration: define({
    name: 'gen_ai.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: "Request duration as the model server reports it (Ollama's total_duration)",
    labels: GENAI_LABELS_WITH_ERROR,
    boundaries: GENAI_DURATION_BUCKETS_SECONDS,
  }),
  genAiServerTimeToFirstToken: define({
    name: 'gen_ai.server.time_to_first_token',
    kind: 'histogram',
    unit: 's',
    description:
      'Time to the first token as the model server reports it: load (and queue) plus prompt evaluation (load_duration + prompt_eval_duration)',
    labels: GENAI_LABELS,
    boundaries: GENAI_TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS,
  }),
  genAiServerTimePerOutputToken: define({
    name: 'gen_ai.server.time_per_output_token',
    kind: 'histogram',
    unit: 's',
    description: 'Time per output token as the model server reports it (eval_duration / eval_count)',
    labels: GENAI_LABELS,
    boundaries: GENAI_PER_TOKEN_BUCKETS_SECONDS,
  }),
  ollamaModelLoadDurationSeconds: define({
    name: 'ollama_model_load_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description:
      'Model loads (cold starts) Ollama reported: load_duration of answers where it was at least 0.25 s (below, the model was loaded already)',
    labels: ['pool_name', 'model'],
    boundaries: MODEL_LOAD_BUCKETS_SECONDS,
  }),
  ollamaLoadedModels: define({
    name: 'ollama_loaded_models',
    kind: 'gauge',
    unit: '{model}',
    description: 'Models Ollama holds in memory, from /api/ps (opt-in poller)',
    labels: ['pool_name'],
  }),
  ollamaModelSizeBytes: define({
    name: 'ollama_model_size_bytes',
    kind: 'gauge',
    unit: 'By',
    description: 'Memory a loaded model takes, from /api/ps `size` (opt-in poller)',
    labels: ['pool_name', 'model'],
  }),
  ollamaModelVramBytes: define({
    name: 'ollama_model_vram_bytes',
    kind: 'gauge',
    unit: 'By',
    description: 'GPU memory a loaded model takes, from /api/ps `size_vram` (opt-in poller)',
    labels: ['pool_name', 'model'],
  }),
  ollamaModelExpiresInSeconds: define({
    name: 'ollama_model_expires_in_seconds',
    kind: 'gauge',
    unit: 's',
    description: 'Seconds until Ollama unloads a loaded model (its keep_alive), from /api/ps `expires_at`',
    labels: ['pool_name', 'model'],
  }),
  ollamaPsPollFailures: define({
    name: 'ollama_ps_poll_failures',
    kind: 'counter',
    unit: '{poll}',
    description:
      '/api/ps polls that failed (unreachable, timed out, bad answer); the model gauges are absent until one succeeds',
    labels: ['pool_name'],
  }),
  requestDurationSeconds: define({
    name: 'request_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Request duration in seconds',
    labels: ['method', 'route', 'status'],
    boundaries: REQUEST_DURATION_BUCKETS_SECONDS,
  }),
  requests: define({
    name: 'requests',
    kind: 'counter',
    unit: '{request}',
    description: 'Total requests',
    labels: ['method', 'route', 'status'],
  }),
  responseStreams: define({
    name: 'response_streams',
    kind: 'counter',
    unit: '{stream}',
    description:
      'Streamed responses by how they ended: completed, failed (the upstream broke off), idle_timeout, client_left',
    labels: ['route', 'outcome'],
  }),
  requestsInFlight: define({
    name: 'requests_in_flight',
    kind: 'gauge',
    unit: '{request}',
    description: 'Requests being served now',
    labels: ['method', 'route'],
  }),
  httpServerRequestDuration: define({
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of HTTP server requests (OpenTelemetry semantic conventions; off by default)',
    labels: ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'],
    boundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  }),
  healthStatus: define({
    name: 'health_status',
    kind: 'gauge',
    unit: '{status}',
    description: 'Health of a component: 1 healthy, 0.5 degraded, 0 unhealthy',
    labels: ['component'],
  }),
});

/** The catalog's keys. */
export type CatalogKey = keyof typeof CATALOG;

/** All catalog entries, in catalog order. */
export function catalogEntries(): readonly MetricDefinition[] {
  return Object.values(CATALOG);
}

/** The Prometheus type a catalog entry is exposed as. */
export function prometheusType(definition: MetricDefinition): PrometheusType {
  return definition.kind;
}

/**
 * The name Prometheus shows for a catalog entry, following exporter-prometheus's naming rule: invalid
 * characters become `_`, and counters end in `_total` exactly once.
 */
export function prometheusName(definition: MetricDefinition): string {
  const base = definition.name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (definition.kind === 'counter' && !base.endsWith('_total')) return `${base}_total`;
  return base;
}
