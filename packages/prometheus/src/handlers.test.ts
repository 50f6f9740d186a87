import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import { metricsMiddleware } from './express.js';
import { fastifyMetrics } from './fastify.js';
import { metricsResponse } from './metrics-response.js';
import { createMetricsHandler } from './node-http.js';
import { createPrometheusReader, type PrometheusReader, setDefaultPrometheusReader } from './reader.js';

let reader: PrometheusReader;
let provider: MeterProvider;
beforeAll(() => {
  reader = createPrometheusReader();
  provider = new MeterProvider({ readers: [reader] });
  provider.getMeter('app').createCounter('orders').add(3);
});
afterAll(() => provider.shutdown());
afterEach(() => setDefaultPrometheusReader(undefined));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('metricsResponse', () => {
  it('answers GET with the exposition and its content type', async () => {
    const parts = await metricsResponse('GET', { reader });
    expect(parts.status).toBe(200);
    expect(parts.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(parts.body).toContain('orders_total');
  });

  it('refuses other methods with 405 and Allow', async () => {
    expect(await metricsResponse('POST', { reader })).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD' },
    });
  });

  it('says what to do when no reader is set up', async () => {
    const parts = await metricsResponse('GET');
    expect(parts.status).toBe(503);
    expect(parts.body).toContain('startTelemetry()');
  });

  it('uses the default reader when none is passed', async () => {
    setDefaultPrometheusReader(reader);
    expect((await metricsResponse('GET')).status).toBe(200);
  });

  it('answers 500 without throwing when collection fails', async () => {
    const unbound = createPrometheusReader(); // never given to a MeterProvider: collect() rejects
    expect(await metricsResponse('GET', { reader: unbound })).toMatchObject({ status: 500 });
  });
});

describe('node:http handler', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const metrics = createMetricsHandler({ reader });
    server = createServer((request, response) =>
      request.url === '/metrics' ? metrics(request, response) : response.end('app'),
    );
    url = await listen(server);
  });
  afterAll(() => server.close());

  it('serves GET and HEAD', async () => {
    const get = await fetch(`${url}/metrics`);
    expect(get.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const body = await get.text();
    expect(body).toContain('orders_total');
    const head = await fetch(`${url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });
});

describe('Express 5 middleware', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.get('/metrics', metricsMiddleware({ reader }));
    app.get('/', (_request, response) => {
      response.send('home');
    });
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(() => server.close());

  it('serves the exposition where it is mounted and leaves other routes alone', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(await response.text()).toContain('orders_total');
    expect(await (await fetch(url)).text()).toBe('home');
  });
});

describe('Fastify 5 plugin', () => {
  it('serves the exposition at its path, on the parent instance', async () => {
    const app = Fastify();
    await app.register(fastifyMetrics, { reader, path: '/prom' });
    app.get('/', async () => 'home');
    const get = await app.inject({ method: 'GET', url: '/prom' });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(get.body).toContain('orders_total');
    const head = await app.inject({ method: 'HEAD', url: '/prom' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(app.printRoutes()).toContain('prom');
    await app.close();
  });

  it('defaults to /metrics', async () => {
    const app = Fastify();
    setDefaultPrometheusReader(reader);
    await app.register(fastifyMetrics);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    await app.close();
  });
});
