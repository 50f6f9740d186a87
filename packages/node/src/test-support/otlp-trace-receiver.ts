import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/**
 * An OTLP trace receiver for tests, beside the metrics one of @sightglass/test-kit: the official OTLP
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

/** A receiver started by a test. */
export interface OtlpTraceReceiver {
  /** Base URL (HTTP) or host:port URL (gRPC). */
  readonly url: string;
  /** Every request received, decoded, with its headers. */
  readonly received: Array<{ request: OtlpTraceRequest; headers: Record<string, unknown> }>;
  /** Every span received so far. */
  spans(): OtlpSpan[];
  close(): Promise<void>;
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
  const received: OtlpTraceReceiver['received'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const json = (request.headers['content-type'] ?? '').includes('json');
      if (request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      received.push({
        request: json ? (JSON.parse(body.toString('utf8')) as OtlpTraceRequest) : decodeTraceRequest(body),
        headers: request.headers,
      });
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    spans: () => allSpans(received),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An OTLP/gRPC receiver on 127.0.0.1 implementing TraceService/Export with the official definitions. */
export async function startOtlpTraceGrpcReceiver(): Promise<OtlpTraceReceiver> {
  const received: OtlpTraceReceiver['received'] = [];
  const server = new grpc.Server();
  const identity = (value: Buffer): Buffer => value;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        received.push({ request: decodeTraceRequest(call.request), headers: call.metadata.getMap() });
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    spans: () => allSpans(received),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
