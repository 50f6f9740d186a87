import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition-format.js';
import { expressMetrics } from './express.js';
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
    const parts = await metricsResponse({ method: 'GET' }, { reader });
    expect(parts.status).toBe(200);
    expect(parts.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(parts.body).toContain('orders_total');
  });

  it('refuses other methods with 405 and Allow', async () => {
    expect(await metricsResponse({ method: 'POST' }, { reader })).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD' },
    });
  });

  it('says what to do when no reader is set up', async () => {
    const parts = await metricsResponse({ method: 'GET' });
    expect(parts.status).toBe(503);
    expect(parts.body).toContain('startTelemetry()');
  });

  it('uses the default reader when none is passed', async () => {
    setDefaultPrometheusReader(reader);
    expect((await metricsResponse({ method: 'GET' })).status).toBe(200);
  });

  it('answers a scraper that asks for OpenMetrics first (as Prometheus does) in OpenMetrics', async () => {
    const accept = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const parts = await metricsResponse({ method: 'GET', headers: { accept } }, { reader });
    expect(parts.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(parts.headers.vary).toBe('accept, accept-encoding');
    expect(parts.body).toMatch(/# TYPE orders counter\norders_total\{[^}]*\} 3\n/);
    expect(String(parts.body).endsWith('# EOF\n')).toBe(true);
  });

  it('gzips the exposition for a scraper that accepts it, unless told not to', async () => {
    const request = { method: 'GET', headers: { 'accept-encoding': 'gzip' } };
    const zipped = await metricsResponse(request, { reader });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body as Buffer).toString()).toBe(await reader.render('text'));
    const plain = await metricsResponse(request, { reader, gzip: false });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(typeof plain.body).toBe('string');
  });

  it('lets concurrent scrapes share one collection and one render', async () => {
    const collect = vi.spyOn(reader, 'collect');
    const bodies = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        metricsResponse(
          { method: 'GET', headers: index % 2 === 0 ? {} : { accept: 'application/openmetrics-text' } },
          { reader },
        ),
      ),
    );
    expect(collect).toHaveBeenCalledTimes(1);
    expect(new Set(bodies.map((parts) => parts.body)).size).toBe(2);
    // Once it settled, the next scrape collects afresh.
    await metricsResponse({ method: 'GET' }, { reader });
    expect(collect).toHaveBeenCalledTimes(2);
    collect.mockRestore();
  });

  it('answers 500 without throwing when collection fails', async () => {
    const unbound = createPrometheusReader(); // never given to a MeterProvider: collect() rejects
    expect(await metricsResponse({ method: 'GET' }, { reader: unbound })).toMatchObject({ status: 500 });
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
    app.get('/metrics', expressMetrics({ reader }));
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
