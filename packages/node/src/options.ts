import type { Attributes } from '@opentelemetry/api';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { LabelGuardOptions } from '@sightglass/core';
import type { DashboardOptions, PrometheusReaderOptions } from '@sightglass/prometheus';

/** OTLP transport protocols, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** Where and how Prometheus scrapes the service. */
export interface PrometheusOptions extends PrometheusReaderOptions {
  /** Interface of the standalone metrics server. Default `OTEL_EXPORTER_PROMETHEUS_HOST`, else `127.0.0.1`. */
  host?: string;
  /** Port of the standalone metrics server. Default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464; 0 picks one. */
  port?: number;
  /**
   * Start the standalone metrics server. Default `true`. Set `false` to serve `/metrics` from your own
   * server with the handlers of @sightglass/prometheus instead.
   */
  server?: boolean;
  /** Serve `/health`, `/livez` and `/readyz` on the standalone server too. Default `true`. */
  health?: boolean;
  /** `never` hides check details from `/health` and reasons from `/readyz`. Default `always`. */
  details?: 'always' | 'never';
  /**
   * Serve the built-in live dashboard at `/dashboard` on the standalone server, or `false` not to. Default
   * `true`. The options bound the history it keeps in memory (default five minutes, one sample a second).
   */
  dashboard?: boolean | DashboardOptions;
}

/** Pushing metrics to an OTLP endpoint (an OpenTelemetry Collector, or any backend that speaks OTLP). */
export interface OtlpOptions {
  /**
   * The metrics endpoint. For HTTP a bare origin gets `/v1/metrics` appended. Default from
   * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318/v1/metrics`
   * (`http://localhost:4317` for gRPC).
   */
  url?: string;
  /** Default `OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL`, else `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Extra request headers (an API key). Default from `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`. */
  headers?: Record<string, string>;
  /** Export interval in milliseconds. Default `OTEL_METRIC_EXPORT_INTERVAL`, else 60000. */
  intervalMs?: number;
  /** Time one export may take, in milliseconds (at most the interval). Default `OTEL_METRIC_EXPORT_TIMEOUT`, else 30000. */
  timeoutMs?: number;
}

/** Runtime metrics: event-loop delay and utilization, heap, GC (@opentelemetry/instrumentation-runtime-node). */
export interface RuntimeMetricsOptions {
  /** Sampling precision of the event-loop delay histogram, in milliseconds. Default 10. */
  precisionMs?: number;
}

/** Options of `startTelemetry()`. Every one is optional; see each for its default. */
export interface TelemetryOptions {
  /** `service.name` of the resource. Default `OTEL_SERVICE_NAME`, else OTel's `unknown_service:node`. */
  serviceName?: string;
  /** `service.version` of the resource. */
  serviceVersion?: string;
  /** More resource attributes (merged over `OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes?: Attributes;
  /**
   * Serve metrics to Prometheus, or `false` not to. When neither `prometheus` nor `otlp` is given, the
   * exporters come from `OTEL_METRICS_EXPORTER` (default `prometheus`).
   */
  prometheus?: PrometheusOptions | false;
  /** Push metrics over OTLP, or `false` not to. */
  otlp?: OtlpOptions | false;
  /** Print metrics to stdout every export interval (debugging). Default: only if `OTEL_METRICS_EXPORTER` has `console`. */
  console?: boolean;
  /** Report `health_status{component}` from the health registry, checked every 15 s. Default `true`. */
  healthMetrics?: boolean;
  /** Report Node.js runtime metrics. Default `true`. */
  runtimeMetrics?: boolean | RuntimeMetricsOptions;
  /**
   * Bounds on label values of Sightglass metrics: length, and distinct values per label name (one budget
   * shared by every metric with that label).
   */
  labelLimits?: LabelGuardOptions;
  /** More views, applied after Sightglass's own. */
  views?: ViewOptions[];
  /** How long `shutdown()` may take before it gives up on a last export, in milliseconds. Default 5000. */
  shutdownTimeoutMs?: number;
  /** Register the MeterProvider as the global one (`metrics.setGlobalMeterProvider`). Default `true`. */
  global?: boolean;
  /** The environment to read `OTEL_*` variables from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}
