/**
 * Exemplars on the request histograms with a server span of our own (a tracer provider and the
 * AsyncLocalStorage context manager, no HTTP instrumentation): a sampled request's duration is kept as its
 * bucket's exemplar, pointing at the request's server span; an unsampled one, or tracing off, keeps none.
 * Read through `metricRegistry().snapshot()`, what the OpenMetrics writer and the OTLP producer read.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import { AlwaysOffSampler, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CATALOG } from '@sightglass/core';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { fastifyRequestMetrics } from './fastify.js';
import type { NodeHttpMetricsOptions } from './node-http.js';
import { instrumentHttpServer, instrumentRequestListener } from './node-http.js';
import { startTestTracing } from './test-support/otel.js';
import {
  exemplarsOf,
  expectOneExemplar,
  histogramSeries,
  listen,
  requestsTotal,
} from './test-support/requests.js';

const tracing = startTestTracing();
afterAll(() => tracing.stop());
beforeEach(() => tracing.exporter.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const sampled = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` };
const unsampled = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` };

const hello: RequestListener = (_request, response) => {
  response.end('ok');
};

async function serve(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  return { server, url: await listen(server) };
}

async function serveNode(options: NodeHttpMetricsOptions) {
  return serve(instrumentRequestListener(hello, options));
}

/** The one server span once it ended. */
async function serverSpan(): Promise<ReadableSpan> {
  const [span] = await waitFor('the server span', async () => {
    const spans = tracing.spans(SpanKind.SERVER);
    return spans.length > 0 ? spans : undefined;
  });
  return span!;
}

/** GETs a path and waits until the request is recorded (its response closed). */
async function get(url: string, route: string, headers: Record<string, string> = {}, status = '200') {
  const response = await fetch(url, { headers });
  await response.text();
  await waitFor(`${route} recorded`, async () => requestsTotal('GET', route, status));
}

const duration = (route: string, status = '200') =>
  histogramSeries(CATALOG.requestDurationSeconds, { method: 'GET', route, status });

describe('node:http, a server span of ours', () => {
  it('keeps a sampled request’s duration as its bucket’s exemplar, pointing at the server span', async () => {
    const { server, url } = await serveNode({ routes: ['/sampled/:id'], semanticConventions: true });
    const before = Date.now();
    await get(`${url}/sampled/1`, '/sampled/:id', sampled);
    const span = await serverSpan();
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.instrumentationScope.name).toBe('@sightglass/http');
    expectOneExemplar(duration('/sampled/:id'), span, before);
    // The semantic-convention histogram keeps the same request's exemplar, in its own buckets.
    const semconv = histogramSeries(CATALOG.httpServerRequestDuration, {
      'http.route': '/sampled/:id',
      'http.response.status_code': '200',
    });
    expectOneExemplar(semconv, span, before);
    server.close();
  });

  it('keeps one for a new trace (no traceparent) too, the last request’s per bucket', async () => {
    const { server, url } = await serveNode({ routes: ['/root'] });
    await get(`${url}/root`, '/root');
    const first = await serverSpan();
    tracing.exporter.reset();
    await get(`${url}/root`, '/root');
    const second = await serverSpan();
    expect(second.spanContext().traceId).not.toBe(first.spanContext().traceId);
    const exemplars = exemplarsOf(duration('/root'));
    const last = exemplars.find((exemplar) => exemplar.spanId === second.spanContext().spanId);
    expect(last?.traceId).toBe(second.spanContext().traceId);
    // The first request's exemplar is kept only if it fell into another bucket (a bucket keeps its last).
    const others = exemplars.filter((exemplar) => exemplar !== last);
    for (const other of others) {
      expect(other.spanId).toBe(first.spanContext().spanId);
      expect(other.bucket).not.toBe(last?.bucket);
    }
    expect(duration('/root')?.count).toBe(2);
    server.close();
  });

  it('keeps none for an unsampled request (a parent-based sampler and a -00 traceparent)', async () => {
    const { server, url } = await serveNode({ routes: ['/unsampled'], semanticConventions: true });
    await get(`${url}/unsampled`, '/unsampled', unsampled);
    expect(duration('/unsampled')?.count).toBe(1);
    expect(duration('/unsampled')?.exemplars).toBeUndefined();
    const semconv = histogramSeries(CATALOG.httpServerRequestDuration, { 'http.route': '/unsampled' });
    expect(semconv?.count).toBe(1);
    expect(semconv?.exemplars).toBeUndefined();
    expect(tracing.spans(SpanKind.SERVER)).toEqual([]); // the span did not record
    server.close();
  });

  it('keeps none with tracing: false', async () => {
    const { server, url } = await serveNode({ routes: ['/untraced'], tracing: false });
    await get(`${url}/untraced`, '/untraced', sampled);
    expect(duration('/untraced')?.count).toBe(1);
    expect(duration('/untraced')?.exemplars).toBeUndefined();
    server.close();
  });

  it('keeps none from a server-wide instrumentation, which makes no span of its own', async () => {
    const server = createServer(hello);
    const instrumented = instrumentHttpServer(server, { routes: ['/server-wide'] });
    const url = await listen(server);
    await get(`${url}/server-wide`, '/server-wide', sampled);
    expect(duration('/server-wide')?.exemplars).toBeUndefined();
    instrumented.dispose();
    server.close();
  });

  it('keeps the exemplar of a request whose client left under 499', async () => {
    let arrived = false;
    const { server, url } = await serve(
      instrumentRequestListener(
        () => {
          arrived = true; // never answers
        },
        { routes: ['/left'] },
      ),
    );
    const before = Date.now();
    const controller = new AbortController();
    const request = fetch(`${url}/left`, { headers: sampled, signal: controller.signal }).catch(() => {});
    await waitFor('the request to arrive', async () => arrived || undefined);
    controller.abort();
    await request;
    await waitFor('the request recorded', async () => requestsTotal('GET', '/left', '499'));
    const span = await serverSpan();
    expect(span.attributes['error.type']).toBe('client_closed');
    expectOneExemplar(duration('/left', '499'), span, before);
    server.closeAllConnections();
    server.close();
  });
});

describe('Express and Fastify, a server span of ours', () => {
  it('Express keeps a sampled request’s exemplar under its matched route, none for an unsampled one', async () => {
    const app = express();
    app.use(expressRequestMetrics({ semanticConventions: true }));
    app.get('/express/:id', (_request, response) => {
      response.send('ok');
    });
    const { server, url } = await serve(app);
    const before = Date.now();
    await get(`${url}/express/1`, '/express/:id', sampled);
    const span = await serverSpan();
    expect(span.name).toBe('GET /express/:id');
    expectOneExemplar(duration('/express/:id'), span, before);
    expectOneExemplar(
      histogramSeries(CATALOG.httpServerRequestDuration, { 'http.route': '/express/:id' }),
      span,
      before,
    );
    tracing.exporter.reset();
    app.get('/express-unsampled', (_request, response) => {
      response.send('ok');
    });
    await get(`${url}/express-unsampled`, '/express-unsampled', unsampled);
    expect(duration('/express-unsampled')?.count).toBe(1);
    expect(duration('/express-unsampled')?.exemplars).toBeUndefined();
    server.close();
  });

  it('Express keeps none with tracing: false', async () => {
    const app = express();
    app.use(expressRequestMetrics({ tracing: false }));
    app.get('/express-untraced', (_request, response) => {
      response.send('ok');
    });
    const { server, url } = await serve(app);
    await get(`${url}/express-untraced`, '/express-untraced', sampled);
    expect(duration('/express-untraced')?.exemplars).toBeUndefined();
    server.close();
  });

  it('Fastify keeps a sampled request’s exemplar, none for an unsampled one', async () => {
    const app = Fastify();
    await app.register(fastifyRequestMetrics, { semanticConventions: true });
    app.get('/fastify/:id', async () => 'ok');
    app.get('/fastify-unsampled', async () => 'ok');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = Date.now();
    await get(`${url}/fastify/1`, '/fastify/:id', sampled);
    const span = await serverSpan();
    expect(span.name).toBe('GET /fastify/:id');
    expectOneExemplar(duration('/fastify/:id'), span, before);
    expectOneExemplar(
      histogramSeries(CATALOG.httpServerRequestDuration, { 'http.route': '/fastify/:id' }),
      span,
      before,
    );
    await get(`${url}/fastify-unsampled`, '/fastify-unsampled', unsampled);
    expect(duration('/fastify-unsampled')?.count).toBe(1);
    expect(duration('/fastify-unsampled')?.exemplars).toBeUndefined();
    await app.close();
  });

  it('Fastify keeps none with tracing: false', async () => {
    const app = Fastify();
    await app.register(fastifyRequestMetrics, { tracing: false });
    app.get('/fastify-untraced', async () => 'ok');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    await get(`${url}/fastify-untraced`, '/fastify-untraced', sampled);
    expect(duration('/fastify-untraced')?.count).toBe(1);
    expect(duration('/fastify-untraced')?.exemplars).toBeUndefined();
    await app.close();
  });
});

describe('a sampler that samples nothing', () => {
  it('leaves no exemplar, whatever the traceparent says', async () => {
    await tracing.replaceProvider([], new AlwaysOffSampler());
    const { server, url } = await serveNode({ routes: ['/always-off'] });
    await get(`${url}/always-off`, '/always-off', sampled);
    await get(`${url}/always-off`, '/always-off');
    expect(duration('/always-off')?.count).toBe(2);
    expect(duration('/always-off')?.exemplars).toBeUndefined();
    server.close();
  });
});
