/**
 * Without a tracer provider (nothing of OpenTelemetry registered, or a context manager only): requests are
 * measured as before, no span is active in the handler, nothing is thrown.
 */
import { createServer } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { fastifyRequestMetrics } from './fastify.js';
import { instrumentRequestListener } from './node-http.js';
import { resetGlobalsLookup } from './otel-http-internals.js';
import { listen, requestsTotal } from './test-support/requests.js';

async function requestEach(prefix: string): Promise<unknown[]> {
  const active: unknown[] = [];
  const node = createServer(
    instrumentRequestListener(
      (_request, response) => {
        active.push(trace.getActiveSpan());
        response.end('ok');
      },
      { routes: [`/${prefix}/node`] },
    ),
  );
  const app = express();
  app.use(expressRequestMetrics());
  app.get(`/${prefix}/express`, (_request, response) => {
    active.push(trace.getActiveSpan());
    response.send('ok');
  });
  const viaExpress = createServer(app);
  const fastify = Fastify();
  await fastify.register(fastifyRequestMetrics);
  fastify.get(`/${prefix}/fastify`, async () => {
    active.push(trace.getActiveSpan());
    return 'ok';
  });
  expect((await fetch(`${await listen(node)}/${prefix}/node`)).status).toBe(200);
  expect((await fetch(`${await listen(viaExpress)}/${prefix}/express`)).status).toBe(200);
  expect((await fastify.inject({ url: `/${prefix}/fastify` })).statusCode).toBe(200);
  for (const framework of ['node', 'express', 'fastify']) {
    const route = `/${prefix}/${framework}`;
    expect(await waitFor(`${route} recorded`, async () => requestsTotal('GET', route, '200'))).toBe(1);
  }
  node.close();
  viaExpress.close();
  await fastify.close();
  return active;
}

describe('without a tracer provider', () => {
  afterAll(() => context.disable());

  it('with nothing of OpenTelemetry registered, measures and traces nothing', async () => {
    expect(await requestEach('bare')).toEqual([undefined, undefined, undefined]);
  });

  it('with a context manager only, measures and traces nothing', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    resetGlobalsLookup();
    expect(await requestEach('context')).toEqual([undefined, undefined, undefined]);
  });
});
