import { createRequire } from 'node:module';
import { diag } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { nonEmpty, otlpProtocol } from './config-values.js';
import type { OtlpProtocol } from './options.js';
import {
  createExemplarMetricExporter,
  type LegacyExporterConfig,
  METRIC_EXPORTER_PACKAGES,
} from './otel-otlp-internals.js';
import { requirePeer } from './peers.js';

/** Options of {@link createOtlpMetricExporter}; what is left out is read by OpenTelemetry's exporter. */
export interface OtlpMetricExporterOptions {
  /**
   * The transport, which picks the exporter package to load.
   * @default `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`
   */
  protocol?: OtlpProtocol;
  /**
   * The metrics endpoint, used as it is.
   * @default as OpenTelemetry's exporter has it: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else
   *   `OTEL_EXPORTER_OTLP_ENDPOINT` plus `/v1/metrics`, else `http://localhost:4318/v1/metrics`
   *   (`http://localhost:4317` for gRPC)
   */
  url?: string;
  /** Extra request headers (gRPC metadata over gRPC). @default from `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS` */
  headers?: Record<string, string>;
  /** How long one export may take, in milliseconds. @default `OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT`, else 10000 */
  timeoutMs?: number;
}

/**
 * An OTLP metric exporter that also sends the exemplars of Sightglass's histograms (each bucket's last
 * measurement taken in a sampled span, with its trace and span id), which OpenTelemetry's own OTLP
 * exporters leave out (opentelemetry-js#5147). It is OpenTelemetry's exporter for the protocol, with a
 * serializer that adds each exemplar to its data point: everything else in the request, and the
 * exporter's behaviour (variables, retries, compression, TLS), is OpenTelemetry's. Should a future
 * OpenTelemetry release no longer have the parts it is built from, it is OpenTelemetry's plain exporter,
 * with a diag warning.
 *
 * `startTelemetry()` exports with it. With your own NodeSDK, give it to a reader together with
 * `createMetricProducer()`, which attaches the exemplars:
 *
 * @example
 * new PeriodicExportingMetricReader({
 *   exporter: createOtlpMetricExporter({ protocol: 'http/protobuf' }),
 *   metricProducers: [createMetricProducer()],
 * })
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` naming the exporter package of the protocol
 *   (and the version line that matches the installed SDK) when it is not installed;
 *   `ERR_SIGHTGLASS_INVALID_CONFIG` for an unknown protocol.
 */
export function createOtlpMetricExporter(options: OtlpMetricExporterOptions = {}): PushMetricExporter {
  const protocol = otlpProtocol(
    options.protocol ??
      nonEmpty(process.env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) ??
      nonEmpty(process.env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
      'http/protobuf',
    options.protocol !== undefined ? 'protocol' : 'OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL',
  );
  const exporterPackage = METRIC_EXPORTER_PACKAGES[protocol];
  // Loaded first: a package that is not installed is the user's to fix, and said so.
  const { OTLPMetricExporter } = requirePeer<{
    OTLPMetricExporter: new (config: LegacyExporterConfig) => PushMetricExporter;
  }>(exporterPackage, `OTLP export over ${protocol}`);
  const config: LegacyExporterConfig = {};
  if (options.url !== undefined) config.url = options.url;
  if (options.timeoutMs !== undefined) config.timeoutMillis = options.timeoutMs;
  if (options.headers !== undefined) {
    if (protocol === 'grpc') config.metadata = grpcMetadata(exporterPackage, options.headers);
    else config.headers = options.headers;
  }
  try {
    return createExemplarMetricExporter(protocol, config);
  } catch (error) {
    diag.warn(
      `sightglass: OTLP metrics are exported without exemplars: ${exporterPackage} could not be built with ` +
        `them (${error instanceof Error ? error.message : String(error)})`,
    );
    return new OTLPMetricExporter(config);
  }
}

/** The OTLP metric exporter `startTelemetry()` pushes with, from its resolved configuration. */
export function createOtlpExporter(config: {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
}): PushMetricExporter {
  return createOtlpMetricExporter({
    protocol: config.protocol,
    url: config.url,
    headers: config.headers,
    timeoutMs: config.timeoutMs,
  });
}

/**
 * Headers as gRPC metadata of the exporter's own @grpc/grpc-js (its dependency, not ours): a Metadata of
 * another copy would not be recognised.
 */
export function grpcMetadata<Metadata>(exporterName: string, headers: Record<string, string>): Metadata {
  const fromExporter = createRequire(createRequire(import.meta.url).resolve(exporterName));
  const { Metadata } = fromExporter('@grpc/grpc-js') as {
    Metadata: new () => { set(key: string, value: string): void };
  };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata as Metadata;
}
