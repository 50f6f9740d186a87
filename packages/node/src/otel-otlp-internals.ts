/**
 * The OpenTelemetry internals the OTLP metric export of @sightglass/node depends on, in this one module;
 * otel-otlp-internals.test.ts is their canary and fails if OpenTelemetry changes them.
 *
 * OpenTelemetry's metric exporters write no exemplars (opentelemetry-js#5147). Each protocol's
 * `OTLPMetricExporter` is a thin subclass of `OTLPMetricExporterBase` that hands one export delegate a
 * serializer of `@opentelemetry/otlp-transformer`; the same on the 2.x line (0.223) and the 3.x line (0.301):
 *
 * - http/protobuf: `createOtlpHttpExportDelegate(convertLegacyHttpOptions(config, 'METRICS', 'v1/metrics',
 *   { 'Content-Type': 'application/x-protobuf' }), ProtobufMetricsSerializer, 'otlp_http_metric_exporter',
 *   MetricsExporterMetricsHelper, undefined)` (`@opentelemetry/otlp-exporter-base/node-http`);
 * - http/json: the same with `application/json` and `JsonMetricsSerializer`;
 * - grpc: `createOtlpGrpcExportDelegate(convertLegacyOtlpGrpcOptions(config, 'METRICS'),
 *   ProtobufMetricsSerializer, 'otlp_grpc_metric_exporter', MetricsExporterMetricsHelper, undefined,
 *   'MetricsExportService', '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export')`
 *   (`@opentelemetry/otlp-grpc-exporter-base`).
 *
 * {@link createExemplarMetricExporter} builds the same exporter with the serializer wrapped by
 * `withExemplars`, so everything else (the endpoint and `OTEL_EXPORTER_OTLP_*` variables, headers,
 * compression, retries, timeouts, TLS, temporality) stays OpenTelemetry's. The packages are loaded from where
 * the application's exporter package resolves them, as that exporter loads them itself. The component type
 * strings name the exporter in OpenTelemetry's self-observability metrics (off unless a MeterProvider is
 * given, which Sightglass does not).
 */
import { createRequire } from 'node:module';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { type MetricsSerializer, type OtlpEncoding, withExemplars } from './exemplar-serializer.js';
import type { OtlpProtocol } from './options.js';

type Require = ReturnType<typeof createRequire>;

/** The exporter package of each protocol (a peer dependency of @sightglass/node). */
export const METRIC_EXPORTER_PACKAGES: Readonly<Record<OtlpProtocol, string>> = {
  'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
  'http/json': '@opentelemetry/exporter-metrics-otlp-http',
  grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
};

/** What an OTLP metric exporter's constructor takes (`OTLPMetricExporterOptions`, grpc `metadata` included). */
export interface LegacyExporterConfig {
  url?: string;
  headers?: Record<string, string>;
  metadata?: unknown;
  timeoutMillis?: number;
}

type Delegate = object;
type ExporterBase = new (delegate: Delegate, config?: LegacyExporterConfig) => PushMetricExporter;
interface Transformer {
  ProtobufMetricsSerializer: MetricsSerializer;
  JsonMetricsSerializer: MetricsSerializer;
  MetricsExporterMetricsHelper: object;
}
interface HttpExporterBase {
  convertLegacyHttpOptions(
    config: LegacyExporterConfig,
    signal: string,
    path: string,
    headers: Record<string, string>,
  ): object;
  createOtlpHttpExportDelegate(
    options: object,
    serializer: MetricsSerializer,
    componentType: string,
    helper: object,
    meterProvider: undefined,
  ): Delegate;
}
interface GrpcExporterBase {
  convertLegacyOtlpGrpcOptions(config: LegacyExporterConfig, signal: string): object;
  createOtlpGrpcExportDelegate(
    options: object,
    serializer: MetricsSerializer,
    componentType: string,
    helper: object,
    meterProvider: undefined,
    grpcName: string,
    grpcPath: string,
  ): Delegate;
}

function expectFunctions<T>(module: unknown, from: string, names: readonly string[]): T {
  for (const name of names) {
    const value = (module as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
      throw new Error(`${from} has no ${name}`);
    }
  }
  return module as T;
}

/**
 * The OTLP metric exporter of `protocol` built from OpenTelemetry's own parts, with a serializer that adds
 * the exemplars of histogram data points to each request (see `withExemplars`).
 *
 * @param from where the exporter package is resolved (the application's, through @sightglass/node).
 * @throws Error when a package is not installed (`MODULE_NOT_FOUND`) or no longer has the parts named
 *   above (the caller then falls back to OpenTelemetry's own exporter).
 */
export function createExemplarMetricExporter(
  protocol: OtlpProtocol,
  config: LegacyExporterConfig,
  from: Require = createRequire(import.meta.url),
): PushMetricExporter {
  const exporterPackage = METRIC_EXPORTER_PACKAGES[protocol];
  const fromExporter = createRequire(from.resolve(exporterPackage));
  const load = <T>(name: string, parts: readonly string[]): T =>
    expectFunctions<T>(fromExporter(name), name, parts);
  const { OTLPMetricExporterBase } = load<{ OTLPMetricExporterBase: ExporterBase }>(
    '@opentelemetry/exporter-metrics-otlp-http',
    ['OTLPMetricExporterBase'],
  );
  const transformer = load<Transformer>('@opentelemetry/otlp-transformer', [
    'ProtobufMetricsSerializer',
    'JsonMetricsSerializer',
    'MetricsExporterMetricsHelper',
  ]);
  const serializer = (encoding: OtlpEncoding) =>
    withExemplars(
      encoding === 'json' ? transformer.JsonMetricsSerializer : transformer.ProtobufMetricsSerializer,
      encoding,
    );
  let delegate: Delegate;
  if (protocol === 'grpc') {
    const grpc = load<GrpcExporterBase>('@opentelemetry/otlp-grpc-exporter-base', [
      'convertLegacyOtlpGrpcOptions',
      'createOtlpGrpcExportDelegate',
    ]);
    delegate = grpc.createOtlpGrpcExportDelegate(
      grpc.convertLegacyOtlpGrpcOptions(config, 'METRICS'),
      serializer('protobuf'),
      'otlp_grpc_metric_exporter',
      transformer.MetricsExporterMetricsHelper,
      undefined,
      'MetricsExportService',
      '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    );
  } else {
    const http = load<HttpExporterBase>('@opentelemetry/otlp-exporter-base/node-http', [
      'convertLegacyHttpOptions',
      'createOtlpHttpExportDelegate',
    ]);
    const json = protocol === 'http/json';
    delegate = http.createOtlpHttpExportDelegate(
      http.convertLegacyHttpOptions(config, 'METRICS', 'v1/metrics', {
        'Content-Type': json ? 'application/json' : 'application/x-protobuf',
      }),
      serializer(json ? 'json' : 'protobuf'),
      'otlp_http_metric_exporter',
      transformer.MetricsExporterMetricsHelper,
      undefined,
    );
  }
  return new OTLPMetricExporterBase(delegate, config);
}
