import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { CATALOG, metricRegistry } from '@sightglass/core';
import { instrumentRequestListener } from '../../node-http.js';
import { compileRoutes, pathOf } from '../../route.js';
import {
  createFloor,
  listenOn,
  ROUTE,
  startOtelHttpInstrumentation,
  startTracing,
  type Variant,
} from './variant.js';

const hello: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('hello');
};

function plain(): Promise<Variant> {
  const server = createServer(hello);
  return Promise.resolve({ listen: () => listenOn(server), recorded: () => 0 });
}

function ours(): Promise<Variant> {
  const server = createServer(instrumentRequestListener(hello, { routes: [ROUTE] }));
  return Promise.resolve({
    listen: () => listenOn(server),
    recorded: () =>
      metricRegistry().value(CATALOG.requests, { method: 'GET', route: ROUTE, status: '200' }) ?? 0,
  });
}

/** node:http servers: plain, the floor, ours, and the peers. */
export const variants: Record<string, () => Promise<Variant>> = {
  plain,
  async floor() {
    const floor = createFloor();
    const server = createServer((request, response) => {
      floor.measure(response);
      hello(request, response);
    });
    return { listen: () => listenOn(server), recorded: () => floor.histogram.count };
  },
  ours,
  /** The plain server with tracing on (no instrumentation of ours): what the context manager alone costs. */
  async 'plain-tracing'() {
    await startTracing(true);
    let answered = 0;
    const server = createServer((request, response) => {
      answered++;
      hello(request, response);
    });
    return { listen: () => listenOn(server), recorded: () => answered };
  },
  /** Tracing on, every request's server span (ours) sampled: a span started and ended, an exemplar kept. */
  async 'ours-sampled'() {
    await startTracing(true);
    return ours();
  },
  /** Tracing on, no request sampled: our span is made (not recording), no exemplar. */
  async 'ours-unsampled'() {
    await startTracing(false);
    return ours();
  },
  async 'prom-client'() {
    // A prom-client histogram wired by hand, with the same route matcher as ours.
    const { Histogram, Registry } = await import('prom-client');
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'request duration',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [...(CATALOG.requestDurationSeconds.boundaries ?? [])],
      registers: [registry],
    });
    const routes = compileRoutes([ROUTE]);
    const server = createServer((request: IncomingMessage, response) => {
      const end = histogram.startTimer();
      response.on('close', () =>
        end({
          method: request.method,
          route: routes.match(pathOf(request.url)) ?? 'unmatched',
          status_code: response.statusCode,
        }),
      );
      hello(request, response);
    });
    return {
      listen: () => listenOn(server),
      recorded: async () =>
        (await histogram.get()).values
          .filter((value) => value.metricName?.endsWith('_count') && value.labels.route === ROUTE)
          .reduce((sum, value) => sum + value.value, 0),
    };
  },
  async otel() {
    const recorded = await startOtelHttpInstrumentation();
    const server = createServer(hello);
    return { listen: () => listenOn(server), recorded };
  },
};
