import { createServer, type Server } from 'node:http';
import { CATALOG, type CounterCell, createHistogramRecorder, createMetricGroup } from '@sightglass/core';

const group = createMetricGroup();
const durations = createHistogramRecorder(CATALOG.requestDurationSeconds);
const counters = new Map<string, CounterCell>();

/** The cell counting one (route, status) pair, created on first use: counting then costs a property increment. */
function requestCounter(method: string, route: string, status: string): CounterCell {
  const key = `${method} ${route} ${status}`;
  let cell = counters.get(key);
  if (cell === undefined) {
    cell = group.counter(CATALOG.requests, { method, route, status });
    counters.set(key, cell);
  }
  return cell;
}

/** A tiny service: `GET /hello` answers a greeting; everything it serves is counted and timed. */
export function createQuickstartServer(): Server {
  return createServer((request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const known = url.pathname === '/hello';
    const route = known ? '/hello' : 'unmatched';
    const method = request.method === 'GET' || request.method === 'HEAD' ? request.method : '_OTHER';
    response.on('finish', () => {
      const status = String(response.statusCode);
      requestCounter(method, route, status).inc();
      durations.record((performance.now() - started) / 1000, { method, route, status });
    });
    if (known && method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ greeting: `hello, ${url.searchParams.get('name') ?? 'world'}` }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found' }));
    }
  });
}
