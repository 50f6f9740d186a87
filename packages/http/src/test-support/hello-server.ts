/**
 * A hello-world node:http server for the request-metrics benchmark, in a process of its own:
 * `hello-server.ts plain|instrumented`. It prints its URL once listening. A process per variant keeps one
 * server's object shapes and garbage out of the other's, as in two deployments.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrumentRequestListener } from '../node-http.js';

const hello: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('hello');
};

const variant = process.argv[2];
if (variant !== 'plain' && variant !== 'instrumented') {
  console.error('usage: hello-server.ts plain|instrumented');
  process.exit(2);
}
const server = createServer(
  variant === 'plain' ? hello : instrumentRequestListener(hello, { routes: ['/hello/:name'] }),
);
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hello/world`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
