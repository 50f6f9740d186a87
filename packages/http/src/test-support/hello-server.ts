/**
 * A hello-world node:http server for the request-metrics benchmark, in a process of its own:
 * `hello-server.ts plain|minimal|instrumented`. `minimal` does the least any request-duration metric does
 * (a wrapping listener, two clock reads, a `close` listener and one histogram record), as a floor to read
 * the full metrics' cost against. It prints its URL once listening. A process per variant keeps one server's object shapes and garbage out of the other's, as in
 * two deployments.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG, HistogramCell } from '@sightglass/core';
import { instrumentRequestListener } from '../node-http.js';

const hello: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('hello');
};

const durations = new HistogramCell(CATALOG.requestDurationSeconds.boundaries ?? []);
const listeners: Record<string, () => RequestListener> = {
  plain: () => hello,
  minimal: () => (request, response) => {
    const started = performance.now();
    response.on('close', () => durations.record((performance.now() - started) / 1000));
    hello(request, response);
  },
  instrumented: () => instrumentRequestListener(hello, { routes: ['/hello/:name'] }),
};

const variant = process.argv[2] ?? '';
const listener = listeners[variant];
if (listener === undefined) {
  console.error(`usage: hello-server.ts ${Object.keys(listeners).join('|')}`);
  process.exit(2);
}
const server = createServer(listener());
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hello/world`);
});
process.on('SIGTERM', () => {
  if (variant === 'minimal' && durations.count === 0) console.error('the minimal variant recorded nothing');
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
