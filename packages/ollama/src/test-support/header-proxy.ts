import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A proxy in front of a server that keeps the headers of every request it forwarded. */
export interface HeaderProxy {
  readonly url: string;
  /** The request headers, in arrival order, with each request's path. */
  readonly received: Array<{ path: string; headers: IncomingHttpHeaders }>;
}

const proxies: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((close) => close()));
});

/**
 * A node:http proxy to `target` (fake-ollama) that records what each request carried (as a gateway in front
 * of Ollama would see it) and pipes requests and answers through unchanged. Closed after the test.
 */
export async function headerProxy(target: string): Promise<HeaderProxy> {
  const { hostname, port } = new URL(target);
  const received: HeaderProxy['received'] = [];
  const server = createServer((incoming, outgoing) => {
    received.push({ path: incoming.url ?? '', headers: incoming.headers });
    const forwarded = request(
      { hostname, port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
