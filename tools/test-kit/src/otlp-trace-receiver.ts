import { createRequire } from 'node:module';
import { type OtlpServer, startOtlpGrpcServer, startOtlpHttpServer } from './otlp-servers.js';

/**
 * An OTLP trace receiver for tests, beside the metrics one (otlp-receiver.ts): the official OTLP
 * protobuf definitions, compiled by protobufjs, as @opentelemetry/otlp-transformer shipped them up to 0.216
 * (installed under the alias otlp-trace-proto-definitions; 0.217's keep only metrics, later ones only encode).
 */
interface ProtoMessage {
  decode(buffer: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}
const require = createRequire(import.meta.url);
const root = require('otlp-trace-proto-definitions/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtoMessage } } } } };
};
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

type Attributes = Array<{ key: string; value: { stringValue?: string; intValue?: number } }>;

/** A decoded OTLP span (fields as the proto names them, in camelCase; ids as lowercase hex by `spans()`). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: Attributes;
  /** The span's scope (the tracer's name). */
  scope: string;
}

/** A decoded ExportTraceServiceRequest. */
export interface OtlpTraceRequest {
  resourceSpans: Array<{
    resource?: { attributes?: Attributes };
    scopeSpans: Array<{ scope?: { name: string }; spans: Array<Omit<OtlpSpan, 'scope'>> }>;
  }>;
}

/** A trace receiver started by a test. */
export interface OtlpTraceReceiver extends OtlpServer<OtlpTraceRequest> {
  /** Every span received so far, ids as lowercase hex, with its scope's name. */
  spans(): OtlpSpan[];
}

/** Decodes an OTLP/protobuf ExportTraceServiceRequest with the official definitions, ids as hex. */
export function decodeTraceRequest(body: Uint8Array): OtlpTraceRequest {
  const message = ExportTraceServiceRequest.decode(body);
  return ExportTraceServiceRequest.toObject(message, {
    longs: Number,
    bytes: Array,
    defaults: false,
    arrays: true,
  }) as OtlpTraceRequest;
}

/** An id as hex: protobuf's bytes arrive as arrays of numbers, OTLP/JSON's as hex strings. */
function hex(id: unknown): string {
  return Array.isArray(id) ? Buffer.from(id as number[]).toString('hex') : String(id).toLowerCase();
}

function allSpans(received: OtlpTraceReceiver['received']): OtlpSpan[] {
  return received.flatMap(({ request }) =>
    request.resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          ...span,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          ...(span.parentSpanId ? { parentSpanId: hex(span.parentSpanId) } : {}),
          scope: scope.scope?.name ?? '',
        })),
      ),
    ),
  );
}

/** An OTLP/HTTP trace receiver on 127.0.0.1: protobuf (official definitions) and JSON at `/v1/traces`. */
export async function startOtlpTraceHttpReceiver(): Promise<OtlpTraceReceiver> {
  const server = await startOtlpHttpServer('/v1/traces', decodeTraceRequest);
  return { ...server, spans: () => allSpans(server.received) };
}

/** An OTLP/gRPC receiver on 127.0.0.1 implementing TraceService/Export with the official definitions. */
export async function startOtlpTraceGrpcReceiver(): Promise<OtlpTraceReceiver> {
  const server = await startOtlpGrpcServer(
    '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    decodeTraceRequest,
  );
  return { ...server, spans: () => allSpans(server.received) };
}
