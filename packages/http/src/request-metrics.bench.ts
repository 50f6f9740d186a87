/**
 * A hello-world server under load from a second process (autocannon) on loopback, with and without the
 * request metrics, in the same run. Target: at most 5% fewer requests per second with metrics on
 * (cost ratio ≤ 1 / 0.95 ≈ 1.053).
 */
import { execFile } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { compareMeasured, finish } from '@sightglass/bench-kit';
import { instrumentRequestListener } from './node-http.js';

const DURATION_S = 5;
const CONNECTIONS = 32;
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const hello: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('hello');
};

async function serve(listener: RequestListener): Promise<{ url: string; close(): void }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello/world`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Runs autocannon in its own process; returns nanoseconds per request (1e9 / requests per second). */
function load(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [autocannon, '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-j', url],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        const result = JSON.parse(stdout) as {
          requests: { average: number };
          errors: number;
          non2xx: number;
        };
        if (result.errors > 0 || result.non2xx > 0)
          return reject(new Error(`load test saw errors: ${stdout}`));
        resolve(1e9 / result.requests.average);
      },
    );
  });
}

const plain = await serve(hello);
const instrumented = await serve(instrumentRequestListener(hello, { routes: ['/hello/:name'] }));
await load(plain.url); // warm both servers before measuring
await load(instrumented.url);

const result = await compareMeasured({
  title: `Hello-world server under autocannon (-c ${CONNECTIONS}, ${DURATION_S} s rounds, second process)`,
  baseline: { name: 'node:http, no metrics', measure: () => load(plain.url) },
  candidates: [{ name: 'node:http + request metrics', measure: () => load(instrumented.url) }],
  targets: [
    {
      case: 'node:http + request metrics',
      maxRatio: 1 / 0.95,
      description: 'at most 5% fewer requests per second',
    },
  ],
  rounds: 7,
});
const [base, candidate] = result.results;
console.log(
  `requests/s (median): ${Math.round(base!.opsPerSecond)} without, ${Math.round(candidate!.opsPerSecond)} with metrics`,
);

plain.close();
instrumented.close();
finish();
