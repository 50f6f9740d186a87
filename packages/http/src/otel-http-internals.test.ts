/**
 * Canary of the OpenTelemetry internals in otel-http-internals.ts: fails if @opentelemetry/core moves the
 * RPC metadata key, if @opentelemetry/instrumentation-http stops reading the route from it, or if
 * @opentelemetry/api keeps its registrations elsewhere.
 */
import { createServer } from 'node:http';
import { context, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core';
import { waitFor } from '@sightglass/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  API_GLOBAL_KEY,
  contextManagerRegistered,
  httpRpcMetadata,
  RPC_METADATA_KEY,
  registeredTracerProvider,
  resetGlobalsLookup,
} from './otel-http-internals.js';
import { startHttpInstrumentation, startTestTracing } from './test-support/otel.js';
import { listen } from './test-support/requests.js';

describe('OpenTelemetry internals', () => {
  afterAll(() => tracing?.stop());
  it('sees nothing registered before anything is, and looks again at most once a second', () => {
    expect((globalThis as Record<symbol, unknown>)[API_GLOBAL_KEY]).toBeUndefined();
    expect(contextManagerRegistered(1_000)).toBe(false);
    (globalThis as Record<symbol, unknown>)[API_GLOBAL_KEY] = { context: {} };
    try {
      expect(contextManagerRegistered(1_500)).toBe(false); // trusted for a second
      expect(contextManagerRegistered(2_000)).toBe(true);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[API_GLOBAL_KEY];
      resetGlobalsLookup();
    }
  });

  let tracing: ReturnType<typeof startTestTracing>;
  it("reads the API's registrations where @opentelemetry/api keeps them", () => {
    tracing = startTestTracing();
    expect(contextManagerRegistered(performance.now())).toBe(true);
    expect(registeredTracerProvider()).toBeDefined();
    const globals = (globalThis as Record<symbol, { context?: unknown; trace?: unknown }>)[API_GLOBAL_KEY];
    expect(globals?.trace).toBe(registeredTracerProvider());
    // A disabled tracer provider is seen at once (the same globals object, its field deleted).
    trace.disable();
    expect(registeredTracerProvider()).toBeUndefined();
  });

  it("uses @opentelemetry/core's RPC metadata key and type", () => {
    const metadata = { type: RPCType.HTTP, span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT) };
    expect(RPCType.HTTP).toBe('http');
    const withMetadata = setRPCMetadata(ROOT_CONTEXT, metadata);
    expect(withMetadata.getValue(RPC_METADATA_KEY)).toBe(metadata);
    expect(httpRpcMetadata(withMetadata)).toBe(metadata);
    expect(httpRpcMetadata(ROOT_CONTEXT)).toBeUndefined();
    expect(httpRpcMetadata(ROOT_CONTEXT.setValue(RPC_METADATA_KEY, { type: 'grpc' }))).toBeUndefined();
  });

  it('instrumentation-http takes the route set on its RPC metadata for its span, span name and metric', async () => {
    await tracing.replaceProvider([]);
    const instrumentation = await startHttpInstrumentation();
    const server = createServer((_request, response) => {
      const metadata = httpRpcMetadata(context.active());
      expect(getRPCMetadata(context.active())).toBe(metadata);
      if (metadata !== undefined) metadata.route = '/canary/:id';
      response.end('ok');
    });
    const url = await listen(server);
    try {
      expect((await fetch(`${url}/canary/1?q=secret`)).status).toBe(200);
      const [span] = await waitFor('the server span', async () => {
        const spans = tracing.spans(SpanKind.SERVER);
        return spans.length > 0 ? spans : undefined;
      });
      expect(span?.name).toBe('GET /canary/:id');
      expect(span?.attributes['http.route']).toBe('/canary/:id');
      expect(await instrumentation.serverDurations()).toEqual([
        expect.objectContaining({ attributes: expect.objectContaining({ 'http.route': '/canary/:id' }) }),
      ]);
    } finally {
      server.close();
      instrumentation.disable();
    }
  });
});
