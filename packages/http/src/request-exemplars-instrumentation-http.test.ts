/**
 * Exemplars on the request histograms with OpenTelemetry's own HTTP instrumentation (real
 * @opentelemetry/instrumentation-http, a tracer provider, the AsyncLocalStorage context manager): every
 * adapter finds the request's server span through its RPC metadata, and a sampled request's duration is
 * kept as its bucket's exemplar pointing at that span; an unsampled one, or tracing off, keeps none.
 */
import { createServer, type Server } from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CATALOG } from '@sightglass/core';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { fastifyRequestMetrics } from './fastify.js';
import { instrumentHttpServer, instrumentRequestListener } from './node-http.js';
import { startHttpInstrumentation, startTestTracing } from './test-support/otel.js';
import { expectOneExemplar, histogramSeries, listen, requestsTotal } from './test-support/requests.js';

const tracing = startTestTracing();
const instrumentation = await startHttpInstrumentation();
afterAll(async () => {
  instrumentation.disable();
  await tracing.stop();
});
beforeEach(() => tracing.exporter.reset());

const TRACE_ID = '5bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '01f067aa0ba902b7';
const sampled = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` };
const unsampled = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` };

/** instrumentation-http's server span of the one request, once it ended. */
async function instrumentationSpan(): Promise<ReadableSpan> {
  const [span] = await waitFor('the server span', async () => {
    const spans = tracing.spans(SpanKind.SERVER);
    return spans.length > 0 ? spans : undefined;
  });
  expect(tracing.spans(SpanKind.SERVER)).toHaveLength(1); // no span of ours beside it
  expect(span!.instrumentationScope.name).toBe('@opentelemetry/instrumentation-http');
  expect(span!.spanContext().traceId).toBe(TRACE_ID);
  return span!;
}

async function get(url: string, route: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  await response.text();
  await waitFor(`${route} recorded`, async () => requestsTotal('GET', route, '200'));
}

const duration = (route: string) =>
  histogramSeries(CATALOG.requestDurationSeconds, { method: 'GET', route, status: '200' });
const semconv = (route: string) =>
  histogramSeries(CATALOG.httpServerRequestDuration, { 'http.route': route });

/** A sampled request keeps its exemplar (in both histograms), an unsampled one none. */
async function expectExemplars(
  url: string,
  sampledRoute: string,
  unsampledPath: string,
  unsampledRoute: string,
) {
  const before = Date.now();
  await get(url, sampledRoute, sampled);
  const span = await instrumentationSpan();
  expectOneExemplar(duration(sampledRoute), span, before);
  expectOneExemplar(semconv(sampledRoute), span, before);
  await get(unsampledPath, unsampledRoute, unsampled);
  expect(duration(unsampledRoute)?.count).toBe(1);
  expect(duration(unsampledRoute)?.exemplars).toBeUndefined();
  expect(semconv(unsampledRoute)?.exemplars).toBeUndefined();
}

describe('node:http with instrumentation-http', () => {
  it('instrumentRequestListener keeps the exemplar of its server span', async () => {
    const server = createServer(
      instrumentRequestListener((_request, response) => response.end('ok'), {
        routes: ['/node/:id', '/node-unsampled'],
        semanticConventions: true,
      }),
    );
    const url = await listen(server);
    await expectExemplars(`${url}/node/1`, '/node/:id', `${url}/node-unsampled`, '/node-unsampled');
    server.close();
  });

  it('instrumentHttpServer keeps it too, with or without a route', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const instrumented = instrumentHttpServer(server, {
      routes: ['/server/:id', '/server-unsampled'],
      semanticConventions: true,
    });
    const url = await listen(server);
    await expectExemplars(`${url}/server/1`, '/server/:id', `${url}/server-unsampled`, '/server-unsampled');
    tracing.exporter.reset();
    const before = Date.now();
    await get(`${url}/no-route`, 'unmatched', sampled);
    expectOneExemplar(duration('unmatched'), await instrumentationSpan(), before);
    instrumented.dispose();
    server.close();
  });

  it('keeps none with tracing: false', async () => {
    const server: Server = createServer(
      instrumentRequestListener((_request, response) => response.end('ok'), {
        routes: ['/node-untraced'],
        tracing: false,
      }),
    );
    const url = await listen(server);
    await get(`${url}/node-untraced`, '/node-untraced', sampled);
    await instrumentationSpan(); // instrumentation-http traced it, Sightglass did not look
    expect(duration('/node-untraced')?.count).toBe(1);
    expect(duration('/node-untraced')?.exemplars).toBeUndefined();
    server.close();
  });
});

describe('Express with instrumentation-http', () => {
  it('keeps the exemplar of its server span under the matched route', async () => {
    const app = express();
    app.use(expressRequestMetrics({ semanticConventions: true }));
    const router = express.Router();
    router.get('/users/:id', (_request, response) => {
      response.send('ok');
    });
    router.get('/unsampled', (_request, response) => {
      response.send('ok');
    });
    app.use('/express', router);
    const server = createServer(app);
    const url = await listen(server);
    await expectExemplars(
      `${url}/express/users/1`,
      '/express/users/:id',
      `${url}/express/unsampled`,
      '/express/unsampled',
    );
    server.close();
  });
});

describe('Fastify with instrumentation-http', () => {
  it('keeps the exemplar of its server span', async () => {
    const app = Fastify();
    await app.register(fastifyRequestMetrics, { semanticConventions: true });
    app.get('/fastify/:id', async () => 'ok');
    app.get('/fastify-unsampled', async () => 'ok');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    await expectExemplars(
      `${url}/fastify/1`,
      '/fastify/:id',
      `${url}/fastify-unsampled`,
      '/fastify-unsampled',
    );
    await app.close();
  });
});
