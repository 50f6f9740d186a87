import { createRequire } from 'node:module';
import { type OtlpServer, startOtlpGrpcServer, startOtlpHttpServer } from './otlp-servers.js';

/**
 * The official OTLP protobuf definitions, compiled by protobufjs, as @opentelemetry/otlp-transformer shipped
 * them up to 0.217 (installed under the alias otlp-proto-definitions; later versions only encode).
 */
interface ProtoMessage {
  decode(buffer: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}
const require = createRequire(import.meta.url);
const root = require('otlp-proto-definitions/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: ProtoMessage } } } } };
};
const ExportMetricsServiceRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/**
 * A decoded OTLP exemplar. Over protobuf the ids are bytes and the time a number; over JSON (as sent) the ids
 * are hex strings and the time a string of nanoseconds.
 */
export interface OtlpExemplar {
  timeUnixNano?: number | string;
  asDouble?: number;
  asInt?: number | string;
  spanId?: Uint8Array | string;
  traceId?: Uint8Array | string;
  filteredAttributes?: Array<{ key: string; value: { stringValue?: string } }>;
}

/** A decoded OTLP data point (fields as the proto names them, in camelCase). */
export interface OtlpDataPoint {
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
  asDouble?: number;
  asInt?: number;
  count?: number;
  sum?: number;
  explicitBounds?: number[];
  bucketCounts?: number[];
  exemplars?: OtlpExemplar[];
}

/** A decoded OTLP metric. */
export interface OtlpMetric {
  name: string;
  unit?: string;
  description?: string;
  sum?: { dataPoints: OtlpDataPoint[]; isMonotonic?: boolean };
  gauge?: { dataPoints: OtlpDataPoint[] };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

/** A decoded ExportMetricsServiceRequest. */
export interface OtlpExportRequest {
  resourceMetrics: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeMetrics: Array<{ scope?: { name: string; version?: string }; metrics: OtlpMetric[] }>;
  }>;
}

/** A receiver started by a test. */
export interface OtlpReceiver {
  /** Base URL (HTTP) or host:port URL (gRPC). */
  readonly url: string;
  /** Every request received, decoded, with the headers it came with. */
  readonly received: Array<{
    request: OtlpExportRequest;
    headers: Record<string, string | string[] | undefined>;
  }>;
  /** Every metric received so far, by name (the latest export of each). */
  metrics(): Map<string, OtlpMetric>;
  close(): Promise<void>;
}

/** Decodes an OTLP/protobuf ExportMetricsServiceRequest with the official definitions. */
export function decodeMetricsRequest(body: Uint8Array): OtlpExportRequest {
  const message = ExportMetricsServiceRequest.decode(body);
  return ExportMetricsServiceRequest.toObject(message, {
    longs: Number,
    defaults: false,
    arrays: true,
  }) as OtlpExportRequest;
}

function latestMetrics(received: OtlpReceiver['received']): Map<string, OtlpMetric> {
  const byName = new Map<string, OtlpMetric>();
  for (const { request } of received) {
    for (const resource of request.resourceMetrics) {
      for (const scope of resource.scopeMetrics)
        for (const metric of scope.metrics) byName.set(metric.name, metric);
    }
  }
  return byName;
}

/**
 * An OTLP/HTTP receiver on 127.0.0.1: accepts protobuf (decoded with the official definitions) and JSON at
 * `/v1/metrics`, and answers as a collector does.
 */
export async function startOtlpHttpReceiver(): Promise<OtlpReceiver> {
  return metricsReceiver(await startOtlpHttpServer('/v1/metrics', decodeMetricsRequest));
}

/** An OTLP/gRPC receiver on 127.0.0.1 implementing MetricsService/Export with the official definitions. */
export async function startOtlpGrpcReceiver(): Promise<OtlpReceiver> {
  return metricsReceiver(
    await startOtlpGrpcServer(
      '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      decodeMetricsRequest,
    ),
  );
}

function metricsReceiver(server: OtlpServer<OtlpExportRequest>): OtlpReceiver {
  const received = server.received as OtlpReceiver['received'];
  return { url: server.url, received, metrics: () => latestMetrics(received), close: () => server.close() };
}
