import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/** One OTLP export request as a receiver keeps it: decoded, with the headers (or gRPC metadata) it came with. */
export interface ReceivedExport<R> {
  request: R;
  headers: Record<string, unknown>;
}

/** A running OTLP endpoint for tests. */
export interface OtlpServer<R> {
  /** Base URL (`http://127.0.0.1:<port>`), for HTTP and gRPC alike. */
  readonly url: string;
  /** Every request received, decoded, in order. */
  readonly received: ReceivedExport<R>[];
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP endpoint on 127.0.0.1 at `path` (`/v1/traces`, `/v1/metrics`): protobuf bodies go through
 * `decode` (the official definitions), JSON ones through `JSON.parse`; answers as a collector does (200
 * with an empty response in the request's encoding), 404 elsewhere.
 */
export async function startOtlpHttpServer<R>(
  path: string,
  decode: (body: Uint8Array) => R,
): Promise<OtlpServer<R>> {
  const received: ReceivedExport<R>[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url !== path) {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const json = (request.headers['content-type'] ?? '').includes('json');
      received.push({
        request: json ? (JSON.parse(body.toString('utf8')) as R) : decode(body),
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * An OTLP/gRPC endpoint on 127.0.0.1 implementing one unary Export method (`methodPath`, e.g.
 * `/opentelemetry.proto.collector.trace.v1.TraceService/Export`), its requests decoded by `decode`.
 */
export async function startOtlpGrpcServer<R>(
  methodPath: string,
  decode: (body: Uint8Array) => R,
): Promise<OtlpServer<R>> {
  const received: ReceivedExport<R>[] = [];
  const server = new grpc.Server();
  const identity = (value: Buffer): Buffer => value;
  server.addService(
    {
      Export: {
        path: methodPath,
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
        received.push({ request: decode(call.request), headers: call.metadata.getMap() });
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
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
