/**
 * With OpenTelemetry's own HTTP instrumentation (real @opentelemetry/instrumentation-http, a MeterProvider,
 * a tracer provider, the AsyncLocalStorage context manager): each adapter hands it the route template, so its
 * server span has `http.route` and is named by it, its `http.server.request.duration` has `http.route`, and
 * no second server span is made.
 */
import { createServer, type Server } from 'node:http';
import { SpanKind, trace } from '@opentelemetry/api';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { fastifyRequestMetrics } from './fastify.js';
import { instrumentHttpServer, instrumentRequestListener } from './node-http.js';
import { startHttpInstrumentation, startTestTracing } from './test-support/otel.js';
import { listen, requestsTotal } from './test-support/requests.js';

const tracing = startTestTracing();
const instrumentation = await startHttpInstrumentation();
afterAll(async () => {
  instrumentation.disable();
  await tracing.stop();
});
beforeEach(() => tracing.exporter.reset());

/** The server spans once `count` ended. */
function serverSpans(count: number) {
  return waitFor(`${count} server span(s)`, async () => {
    const spans = tracing.spans(SpanKind.SERVER);
    return spans.length >= count ? spans : undefined;
  });
}

/** The duration points instrumentation-http recorded for one route. */
async function durationsFor(route: string) {
  return (await instrumentation.serverDurations()).filter(
    (point) => point.attributes['http.route'] === route,
  );
}

/** A child span started by the handler, after an await. */
async function child(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  trace.getTracer('test').startSpan('child').end();
}

async function expectOneRoutedSpan(route: string, path: string, withChild = true) {
  const spans = await serverSpans(1);
  expect(spans).toHaveLength(1);
  const [span] = spans;
  expect(span?.name).toBe(`GET ${route}`);
  expect(span?.attributes['http.route']).toBe(route);
  expect(span?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-http');
  expect(span?.attributes['url.path'] ?? span?.attributes['http.target']).toBe(path);
  const childSpan = tracing.exporter.getFinishedSpans().find((each) => each.name === 'child');
  if (withChild) expect(childSpan?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
  expect((await durationsFor(route)).map((point) => point.count)).toEqual([1]);
}

describe('node:http with instrumentation-http', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(
      instrumentRequestListener(
        async (_request, response) => {
          await child();
          response.end('ok');
        },
        { routes: ['/node/users/:id'] },
      ),
    );
    url = await listen(server);
  });
  afterAll(() => server.close());

  it('hands the route to its server span and metric, and starts no span of its own', async () => {
    expect((await fetch(`${url}/node/users/42?token=x`)).status).toBe(200);
    await expectOneRoutedSpan('/node/users/:id', '/node/users/42');
    expect(requestsTotal('GET', '/node/users/:id', '200')).toBe(1);
  });
});

describe('instrumentHttpServer with instrumentation-http', () => {
  it('hands the route to its server span', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const instrumented = instrumentHttpServer(server, { routes: ['/server/items/:id'] });
    const url = await listen(server);
    try {
      await fetch(`${url}/server/items/7`);
      await expectOneRoutedSpan('/server/items/:id', '/server/items/7', false);
    } finally {
      instrumented.dispose();
      server.close();
    }
  });
});

describe('Express with instrumentation-http', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.use(expressRequestMetrics());
    // Routing after an await in middleware: the route is matched in the request's context still.
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
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(() => server.close());

  it('hands the matched route to its server span and metric, and starts no span of its own', async () => {
    expect((await fetch(`${url}/api/users/1`)).status).toBe(200);
    await expectOneRoutedSpan('/api/users/:id', '/api/users/1');
  });

  it('leaves http.route out when no route matched', async () => {
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    const [span] = await serverSpans(1);
    expect(span?.name).toBe('GET');
    expect(span?.attributes['http.route']).toBeUndefined();
  });
});

describe('Fastify with instrumentation-http', () => {
  const app = Fastify();
  let url: string;
  beforeAll(async () => {
    await app.register(fastifyRequestMetrics);
    app.get('/users/:id', async () => {
      await child();
      return 'ok';
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('hands the route to its server span and metric, and starts no span of its own', async () => {
    expect((await fetch(`${url}/users/5`)).status).toBe(200);
    await expectOneRoutedSpan('/users/:id', '/users/5');
  });
});
