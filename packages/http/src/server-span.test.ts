/**
 * Without an HTTP instrumentation, with a tracer provider and the AsyncLocalStorage context manager: exactly
 * one server span of ours per request, continuing the caller's trace, with the handler's spans under it.
 */
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { fastifyRequestMetrics } from './fastify.js';
import { instrumentHttpServer, instrumentRequestListener } from './node-http.js';
import { spanName } from './server-span.js';
import { startTestTracing } from './test-support/otel.js';
import { listen, requestsTotal } from './test-support/requests.js';

const tracing = startTestTracing();
afterAll(() => tracing.stop());
beforeEach(() => tracing.exporter.reset());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const traceparent = `00-${TRACE_ID}-${PARENT_ID}-01`;

function serverSpans(count: number): Promise<ReadableSpan[]> {
  return waitFor(`${count} server span(s)`, async () => {
    const spans = tracing.spans(SpanKind.SERVER);
    return spans.length >= count ? spans : undefined;
  });
}

/** A child span started by the handler after an await, as the Ollama client or the cache would. */
async function child(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  trace.getTracer('test').startSpan('child').end();
}

/** Asserts one server span of ours continuing the caller's trace, with the handler's child under it. */
async function expectOwnSpan(name: string, route: string | undefined) {
  const spans = await serverSpans(1);
  expect(spans).toHaveLength(1);
  const span = spans[0]!;
  expect(span.name).toBe(name);
  expect(span.instrumentationScope.name).toBe('@sightglass/http');
  expect(span.spanContext().traceId).toBe(TRACE_ID);
  expect(span.parentSpanContext?.spanId).toBe(PARENT_ID);
  expect(span.attributes['http.route']).toBe(route);
  const childSpan = tracing.exporter.getFinishedSpans().find((each) => each.name === 'child');
  expect(childSpan?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
  return span;
}

async function serve(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  return { server, url: await listen(server) };
}

describe('a server span of our own, node:http', () => {
  let server: Server;
  let url: string;
  let arrived = false;
  const handler: RequestListener = async (request, response) => {
    if (request.url === '/hang') arrived = true;
    await child();
    if (request.url?.startsWith('/users/0')) response.statusCode = 503;
    if (request.url === '/hang') return;
    response.end('ok');
  };
  beforeAll(async () => {
    ({ server, url } = await serve(
      instrumentRequestListener(handler, { routes: ['/users/:id', '/hang'], ignorePaths: ['/livez'] }),
    ));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('continues the caller’s trace, with the HTTP attributes and the handler’s spans under it', async () => {
    const response = await fetch(`${url}/users/42?token=secret`, {
      method: 'PUT',
      headers: { traceparent, 'user-agent': 'test-agent' },
    });
    expect(response.status).toBe(200);
    const span = await expectOwnSpan('PUT /users/:id', '/users/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'PUT',
      'url.path': '/users/42',
      'url.scheme': 'http',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(url).port),
      'client.address': '127.0.0.1',
      'user_agent.original': 'test-agent',
      'network.protocol.version': '1.1',
    });
    expect(JSON.stringify(span.attributes)).not.toContain('secret');
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(requestsTotal('PUT', '/users/:id', '200')).toBe(1);
  });

  it('marks a 5xx as an error with its status as error.type', async () => {
    await fetch(`${url}/users/0`, { headers: { traceparent } });
    const span = await expectOwnSpan('GET /users/:id', '/users/:id');
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.attributes['error.type']).toBe('503');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('marks a request whose client left as client_closed', async () => {
    const client = httpRequest(`${url}/hang`, { agent: false });
    client.on('error', () => {});
    client.end();
    await waitFor('the request to arrive', async () => arrived || undefined);
    client.destroy();
    const [span] = await serverSpans(1);
    expect(span?.attributes['error.type']).toBe('client_closed');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('starts a new trace without a traceparent, names an unmatched request by its method, skips ignored paths', async () => {
    await fetch(`${url}/elsewhere`, { method: 'PROPFIND' });
    await fetch(`${url}/livez`);
    const [span] = await serverSpans(1);
    expect(span?.name).toBe('HTTP');
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes['http.request.method']).toBe('_OTHER');
    expect(span?.attributes['http.request.method_original']).toBe('PROPFIND');
    expect(span?.attributes['http.route']).toBeUndefined();
    await fetch(`${url}/users/1`);
    expect(await serverSpans(2)).toHaveLength(2); // /livez made none
  });

  it('makes one span for a request measured twice (a wrapped listener in a wrapped listener, a server-wide one)', async () => {
    const inner = instrumentRequestListener(handler, { routes: ['/inner/:id'] });
    const { server: twice, url: twiceUrl } = await serve(
      instrumentRequestListener(inner, { routes: ['/outer/*'] }),
    );
    const serverWide = instrumentHttpServer(twice, { routes: ['/outer/*'] });
    await fetch(`${twiceUrl}/inner/1`, { headers: { traceparent } });
    await expectOwnSpan('GET /inner/:id', '/inner/:id');
    serverWide.dispose();
    twice.close();
  });

  it('does nothing with tracing: false', async () => {
    const { server: off, url: offUrl } = await serve(
      instrumentRequestListener(handler, { routes: ['/users/:id'], tracing: false }),
    );
    await fetch(`${offUrl}/users/1`);
    await waitFor('the child span', async () => tracing.exporter.getFinishedSpans().length || undefined);
    expect(tracing.spans(SpanKind.SERVER)).toEqual([]);
    expect(tracing.exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
    off.close();
  });
});

describe('a server span of our own, Express', () => {
  it('is named by the route matched after async middleware, with the handler’s spans under it', async () => {
    const app = express();
    app.use(expressRequestMetrics());
    app.use(async (_request, _response, next) => {
      await new Promise((resolve) => setImmediate(resolve)); // a macrotask later, as middleware awaiting I/O continues
      next();
    });
    const router = express.Router();
    router.get('/users/:id', async (_request, response) => {
      await child();
      response.send('ok');
    });
    app.use('/api', router);
    const { server, url } = await serve(app);
    await fetch(`${url}/api/users/3?q=1`, { headers: { traceparent } });
    const span = await expectOwnSpan('GET /api/users/:id', '/api/users/:id');
    expect(span.attributes['url.path']).toBe('/api/users/3');
    expect(span.attributes['http.response.status_code']).toBe(200);
    server.close();
  });
});

describe('a server span of our own, Fastify', () => {
  it('is named by the route, with the hooks’ and handler’s spans under it', async () => {
    const app = Fastify();
    await app.register(fastifyRequestMetrics);
    app.addHook('preHandler', async () => {
      await new Promise((resolve) => setImmediate(resolve)); // a macrotask later, as middleware awaiting I/O continues
    });
    app.get('/users/:id', async () => {
      await child();
      return 'ok';
    });
    const response = await app.inject({ url: '/users/9', headers: { traceparent } });
    expect(response.statusCode).toBe(200);
    const span = await expectOwnSpan('GET /users/:id', '/users/:id');
    expect(span.attributes['http.response.status_code']).toBe(200);
    await app.close();
  });
});

describe('a span processor that throws', () => {
  it('never reaches the application', async () => {
    const throwing: SpanProcessor = {
      onStart() {
        throw new Error('onStart');
      },
      onEnd() {
        throw new Error('onEnd');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    await tracing.replaceProvider([throwing]);
    let active: Span | undefined;
    const { server, url } = await serve(
      instrumentRequestListener(
        (_request, response) => {
          active = trace.getActiveSpan();
          response.end('ok');
        },
        { routes: ['/throwing'] },
      ),
    );
    expect((await fetch(`${url}/throwing`)).status).toBe(200);
    await waitFor('the request recorded', async () => requestsTotal('GET', '/throwing', '200'));
    expect(active).toBeUndefined(); // the span could not start: the handler runs as without tracing
    server.close();
    await tracing.replaceProvider([]); // the other tests' provider, without the throwing processor
  });
});

describe('spanName', () => {
  it('follows the semantic conventions', () => {
    expect(spanName('GET', '/a')).toBe('GET /a');
    expect(spanName('GET', undefined)).toBe('GET');
    expect(spanName('_OTHER', '/a')).toBe('HTTP /a');
  });
});
