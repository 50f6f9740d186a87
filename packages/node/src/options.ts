import type { Attributes } from '@opentelemetry/api';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { LabelGuardOptions } from '@sightglass/core';
import type { DashboardOptions, PrometheusReaderOptions } from '@sightglass/prometheus';

/** OTLP transport protocols, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** Where and how Prometheus scrapes the service. */
export interface PrometheusOptions extends PrometheusReaderOptions {
  /**
   * Interface of the standalone metrics server.
   * @default `OTEL_EXPORTER_PROMETHEUS_HOST`, else `127.0.0.1`
   */
  host?: string;
  /**
   * Port of the standalone metrics server; 0 picks a free one.
   * @default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464
   */
  port?: number;
  /**
   * Start the standalone metrics server. Set `false` to serve `/metrics` from your own server with the
   * handlers of @sightglass/prometheus instead.
   * @default true
   */
  server?: boolean;
  /**
   * Serve `/health`, `/livez` and `/readyz` on the standalone server too.
   * @default true
   */
  health?: boolean;
  /**
   * `never` hides check details from `/health` and reasons from `/readyz`.
   * @default `always`
   */
  details?: 'always' | 'never';
  /**
   * Serve the built-in live dashboard at `/dashboard` on the standalone server, or `false` not to. Default
   * `true`. The options bound the history it keeps in memory (default five minutes, one sample a second).
   * @default true
   */
  dashboard?: boolean | DashboardOptions;
}

/** Pushing metrics to an OTLP endpoint (an OpenTelemetry Collector, or any backend that speaks OTLP). */
export interface OtlpOptions {
  /**
   * The metrics endpoint. For HTTP a bare origin gets `/v1/metrics` appended. Default from
   * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318/v1/metrics`
   * (`http://localhost:4317` for gRPC).
   * @default from `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`
   */
  url?: string;
  /**
   * @default `OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL`, else `http/protobuf`
   */
  protocol?: OtlpProtocol;
  /**
   * Extra request headers (an API key).
   * @default from `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`
   */
  headers?: Record<string, string>;
  /**
   * Export interval in milliseconds.
   * @default `OTEL_METRIC_EXPORT_INTERVAL`, else 60000
   */
  intervalMs?: number;
  /**
   * Time one export may take, in milliseconds (at most the interval).
   * @default `OTEL_METRIC_EXPORT_TIMEOUT`, else 30000
   */
  timeoutMs?: number;
}

/** Runtime metrics: event-loop delay and utilization, heap, GC (@opentelemetry/instrumentation-runtime-node). */
export interface RuntimeMetricsOptions {
  /**
   * Sampling precision of the event-loop delay histogram, in milliseconds.
   * @default 10
   */
  precisionMs?: number;
}

/** Where and how spans are pushed over OTLP. */
export interface TraceOtlpOptions {
  /**
   * The traces endpoint. For HTTP a bare origin gets `/v1/traces` appended.
   * @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else `OTEL_EXPORTER_OTLP_ENDPOINT` plus `/v1/traces`,
   *   else `http://localhost:4318/v1/traces` (`http://localhost:4317` for gRPC)
   */
  url?: string;
  /** @default `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf` */
  protocol?: OtlpProtocol;
  /** Extra request headers (an API key). @default from `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS` */
  headers?: Record<string, string>;
  /**
   * How long one export of a batch may wait for the collector, in milliseconds; at most `batch.exportTimeoutMs`
   * and at most `shutdownTimeoutMs`, so that no export outlives `shutdown()`.
   * @default `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10000
   */
  timeoutMs?: number;
}

/**
 * How finished spans are batched before export (the SDK's BatchSpanProcessor). When the queue is full, new
 * spans are dropped: a collector that is down or slow never holds up a request.
 */
export interface TraceBatchOptions {
  /** Delay between two exports, in milliseconds. @default `OTEL_BSP_SCHEDULE_DELAY`, else 5000 */
  scheduleDelayMs?: number;
  /** How long one export may take, in milliseconds. @default `OTEL_BSP_EXPORT_TIMEOUT`, else 30000 */
  exportTimeoutMs?: number;
  /** Spans kept waiting for export; more are dropped. @default `OTEL_BSP_MAX_QUEUE_SIZE`, else 2048 */
  maxQueueSize?: number;
  /**
   * Spans in one export, at most `maxQueueSize`.
   * @default `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, else 512 (or `maxQueueSize`, if that is smaller)
   */
  maxExportBatchSize?: number;
}

/** Context propagation formats `startTelemetry()` can install, as `OTEL_PROPAGATORS` names them. */
export type TracePropagator = 'tracecontext' | 'baggage';

/**
 * Tracing: a TracerProvider (`@opentelemetry/sdk-trace`) with a sampler and batched export, registered
 * globally with an AsyncLocalStorage context manager and the W3C propagators. Spans made through
 * `@opentelemetry/api` (Sightglass's and the application's) go to it.
 */
export interface TracingOptions {
  /**
   * Push spans over OTLP, or `false` not to.
   * @default on, unless `OTEL_TRACES_EXPORTER` is set and does not list `otlp`
   */
  otlp?: TraceOtlpOptions | false;
  /** Print finished spans to stdout (debugging). @default only if `OTEL_TRACES_EXPORTER` lists `console` */
  console?: boolean;
  /**
   * The fraction of new traces that are sampled (recorded and exported), from 0 to 1, decided from the trace
   * id, so every service of a trace decides alike.
   * @default from `OTEL_TRACES_SAMPLER` (`always_on` 1, `always_off` 0, `traceidratio` `OTEL_TRACES_SAMPLER_ARG`),
   *   else 1
   */
  sampleRatio?: number;
  /**
   * Follow the decision of the parent span (a remote one from `traceparent`, or a local one), and apply
   * `sampleRatio` to root spans only.
   * @default true, unless `OTEL_TRACES_SAMPLER` names a sampler without the `parentbased_` prefix
   */
  parentBased?: boolean;
  /**
   * Batching of finished spans before export.
   * @default each field's default, below (the `OTEL_BSP_*` variables, else OpenTelemetry's)
   */
  batch?: TraceBatchOptions;
  /**
   * The propagators to install (none when empty). One the application registered before is kept.
   * @default `OTEL_PROPAGATORS`, else `['tracecontext', 'baggage']`
   */
  propagators?: TracePropagator[];
}

/** Options of `startTelemetry()`. Every one is optional; see each for its default. */
export interface TelemetryOptions {
  /**
   * `service.name` of the resource.
   * @default `OTEL_SERVICE_NAME`, else OTel's `unknown_service:node`
   */
  serviceName?: string;
  /**
   * `service.version` of the resource.
   * @default none (no `service.version`)
   */
  serviceVersion?: string;
  /**
   * More resource attributes (merged over `OTEL_RESOURCE_ATTRIBUTES`).
   * @default none: `OTEL_RESOURCE_ATTRIBUTES` alone
   */
  resourceAttributes?: Attributes;
  /**
   * Serve metrics to Prometheus, or `false` not to. When neither `prometheus` nor `otlp` is given, the
   * exporters come from `OTEL_METRICS_EXPORTER` (default `prometheus`).
   * @default on if `OTEL_METRICS_EXPORTER` (itself `prometheus` when unset) names `prometheus`
   */
  prometheus?: PrometheusOptions | false;
  /**
   * Push metrics over OTLP, or `false` not to.
   * @default on if `OTEL_METRICS_EXPORTER` names `otlp`
   */
  otlp?: OtlpOptions | false;
  /**
   * Print metrics to stdout every export interval (debugging).
   * @default only if `OTEL_METRICS_EXPORTER` has `console`
   */
  console?: boolean;
  /**
   * Report `health_status{component}` from the health registry, checked every 15 s.
   * @default true
   */
  healthMetrics?: boolean;
  /**
   * Report Node.js runtime metrics.
   * @default true
   */
  runtimeMetrics?: boolean | RuntimeMetricsOptions;
  /**
   * Bounds on label values of Sightglass metrics: length, and distinct values per label name (one budget
   * shared by every metric with that label).
   * @default 128 characters and 100 distinct values per label (see `LabelGuardOptions`)
   */
  labelLimits?: LabelGuardOptions;
  /**
   * Tracing, or `false` not to. `true` is `{}`. Needs the optional peers `@opentelemetry/sdk-trace`,
   * `@opentelemetry/core` and `@opentelemetry/context-async-hooks` (and the OTLP trace exporter for the protocol).
   * A TracerProvider the application registered before (its own NodeSDK) is kept, and no tracing is started.
   * @default off, unless `OTEL_TRACES_EXPORTER` is set to `otlp` or `console` (the OTel spec's default is `otlp`;
   *   Sightglass starts no tracing nobody asked for)
   */
  tracing?: TracingOptions | boolean;
  /**
   * More views, applied after Sightglass's own.
   * @default none
   */
  views?: ViewOptions[];
  /**
   * How long `shutdown()` may take before it gives up on a last export (metrics and spans), in milliseconds.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
  /**
   * Register the MeterProvider as the global one (`metrics.setGlobalMeterProvider`), and with tracing the
   * TracerProvider, context manager and propagators (each only if none is registered yet).
   * @default true
   */
  global?: boolean;
  /**
   * The environment to read `OTEL_*` variables from.
   * @default `process.env`
   */
  env?: Record<string, string | undefined>;
}
