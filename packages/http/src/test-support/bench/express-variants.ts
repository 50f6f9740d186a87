import { createServer } from 'node:http';
import { CATALOG, metricRegistry } from '@sightglass/core';
import express from 'express';
import { expressRequestMetrics } from '../../express.js';
import { createFloor, listenOn, ROUTE, startOtelHttpInstrumentation, type Variant } from './variant.js';

/** The same application in every variant, after whatever instrumentation `before` mounts. */
function app(before?: (app: express.Express) => void): express.Express {
  const application = express();
  before?.(application);
  application.get(ROUTE, (_request, response) => {
    response.send('hello');
  });
  return application;
}

function plain(): Promise<Variant> {
  const server = createServer(app());
  return Promise.resolve({ listen: () => listenOn(server), recorded: () => 0 });
}

/** Express 5 servers: plain, the floor, ours, and the peers. */
export const variants: Record<string, () => Promise<Variant>> = {
  plain,
  async floor() {
    const floor = createFloor();
    const server = createServer(
      app((application) =>
        application.use((_request, response, next) => {
          floor.measure(response);
          next();
        }),
      ),
    );
    return { listen: () => listenOn(server), recorded: () => floor.histogram.count };
  },
  async ours() {
    const server = createServer(app((application) => application.use(expressRequestMetrics())));
    return {
      listen: () => listenOn(server),
      recorded: () =>
        metricRegistry().value(CATALOG.requests, { method: 'GET', route: ROUTE, status: '200' }) ?? 0,
    };
  },
  async 'express-prom-bundle'() {
    const { default: promBundle } = await import('express-prom-bundle');
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    const server = createServer(
      app((application) =>
        application.use(
          promBundle({ includeMethod: true, includePath: true, promRegistry: registry, autoregister: false }),
        ),
      ),
    );
    return {
      listen: () => listenOn(server),
      recorded: async () =>
        ((await registry.getSingleMetric('http_request_duration_seconds')?.get())?.values ?? [])
          .filter((value) => (value as { metricName?: string }).metricName?.endsWith('_count'))
          .reduce((sum, value) => sum + value.value, 0),
    };
  },
  async otel() {
    const recorded = await startOtelHttpInstrumentation();
    const server = createServer(app());
    return { listen: () => listenOn(server), recorded };
  },
};
