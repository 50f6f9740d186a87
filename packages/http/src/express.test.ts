import { createServer, type Server } from 'node:http';
import { waitFor } from '@sightglass/test-kit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expressRequestMetrics } from './express.js';
import { getAndClose, getAndLeave } from './test-support/clients.js';
import { inFlight, listen, requestsTotal } from './test-support/requests.js';

describe('Express 5 middleware', () => {
  let server: Server;
  let url: string;
  let releaseSlow: (() => void) | undefined;
  let releaseAwaited: (() => void) | undefined;
  const seenRoutes: unknown[] = [];
  const metrics = expressRequestMetrics({ ignorePaths: ['/metrics'] });

  beforeAll(async () => {
    const app = express();
    app.use(metrics);
    // Routing that continues after an await: the route is matched only once this middleware calls next.
    app.use(async (request, _response, next) => {
      if (request.path.startsWith('/awaited')) {
        await new Promise<void>((resolve) => {
          releaseAwaited = resolve;
        });
      }
      next();
    });
    app.get('/users/:id', (request, response) => {
      seenRoutes.push(request.route);
      response.json({ id: request.params.id });
    });
    app.get('/awaited/:n', (_request, response) => {
      response.send('after the await');
    });
    const api = express.Router();
    api.get('/items/:itemId', (_request, response) => {
      response.send('item');
    });
    api.get('/slow', (_request, response) => {
      releaseSlow = () => response.send('slow');
    });
    api.get('/hang', () => {});
    app.use('/api', api);
    // One sub-application mounted twice: each mount's requests under their own prefix.
    const sub = express();
    sub.get('/things/:id', (_request, response) => {
      response.send('thing');
    });
    app.use('/one', sub);
    app.use('/two', sub);
    app.get('/boom', () => {
      throw new Error('handler failed');
    });
    app.get('/metrics', (request, response) => {
      seenRoutes.push(request.route);
      response.send('scrape');
    });
    app.use(
      (error: Error, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
        response.status(500).send(error.message);
      },
    );
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(() => {
    metrics.dispose();
    server.closeAllConnections();
    server.close();
  });

  it('labels requests with the route template, including a mounted router’s prefix', async () => {
    const users = (requestsTotal('GET', '/users/:id', '200') ?? 0) + 2;
    const items = (requestsTotal('GET', '/api/items/:itemId', '200') ?? 0) + 1;
    await fetch(`${url}/users/7`);
    await fetch(`${url}/users/8`);
    await fetch(`${url}/api/items/3`);
    expect(requestsTotal('GET', '/users/:id', '200')).toBe(users);
    expect(requestsTotal('GET', '/api/items/:itemId', '200')).toBe(items);
    expect(requestsTotal('GET', '/users/7', '200')).toBeUndefined(); // never the raw path
  });

  it('labels a sub-application mounted twice under each mount path', async () => {
    await fetch(`${url}/one/things/1`);
    await fetch(`${url}/two/things/2`);
    await fetch(`${url}/two/things/3`);
    expect(requestsTotal('GET', '/one/things/:id', '200')).toBe(1);
    expect(requestsTotal('GET', '/two/things/:id', '200')).toBe(2);
  });

  it('labels a request no route matched `unmatched`, and an error with the status sent', async () => {
    await fetch(`${url}/nothing/here`);
    await fetch(`${url}/boom`);
    expect(requestsTotal('GET', 'unmatched', '404')).toBe(1);
    expect(requestsTotal('GET', '/boom', '500')).toBe(1);
  });

  it('keeps req.route as Express sets it, measured or not', async () => {
    seenRoutes.length = 0;
    await fetch(`${url}/users/9`);
    await fetch(`${url}/metrics`);
    expect(seenRoutes.map((route) => (route as { path?: string } | undefined)?.path)).toEqual([
      '/users/:id',
      '/metrics',
    ]);
  });

  it('moves a request in flight to its route once Express matched it', async () => {
    const pending = fetch(`${url}/api/slow`);
    await vi.waitFor(() => expect(releaseSlow).toBeDefined());
    expect(inFlight('GET', '/api/slow')).toBe(1);
    expect(inFlight('GET', 'unmatched') ?? 0).toBe(0);
    releaseSlow?.();
    await (await pending).text();
    expect(inFlight('GET', '/api/slow')).toBe(0);
  });

  it('learns the route after an await in earlier middleware', async () => {
    const pending = fetch(`${url}/awaited/1`);
    await vi.waitFor(() => expect(releaseAwaited).toBeDefined());
    expect(inFlight('GET', 'unmatched')).toBe(1); // not routed yet
    releaseAwaited?.();
    await (await pending).text();
    await waitFor('the request to be recorded', async () =>
      requestsTotal('GET', '/awaited/:n', '200') === 1 ? true : undefined,
    );
    expect(inFlight('GET', 'unmatched')).toBe(0);
  });

  it('keeps the status of a normal response on a connection that closes after it (not 499)', async () => {
    const items = (requestsTotal('GET', '/api/items/:itemId', '200') ?? 0) + 1;
    expect(await getAndClose(`${url}/api/items/4`)).toBe(200);
    await waitFor('the request to be recorded', async () =>
      requestsTotal('GET', '/api/items/:itemId', '200') === items ? true : undefined,
    );
    expect(requestsTotal('GET', '/api/items/:itemId', '499')).toBeUndefined();
  });

  it('records a client that left before the response as 499', async () => {
    await getAndLeave(`${url}/api/hang`);
    await waitFor('the abort to be recorded', async () =>
      requestsTotal('GET', '/api/hang', '499') === 1 ? true : undefined,
    );
    expect(inFlight('GET', '/api/hang')).toBe(0);
  });

  it('leaves ignored paths out', async () => {
    await fetch(`${url}/metrics`);
    expect(requestsTotal('GET', '/metrics', '200')).toBeUndefined();
  });
});

describe('Express 5 middleware, twice on one request', () => {
  it('finishes both measurements, each with its route template', async () => {
    const outer = expressRequestMetrics();
    const inner = expressRequestMetrics();
    const app = express();
    app.use(outer);
    const sub = express();
    sub.use(inner);
    sub.get('/deep/:id', (_request, response) => {
      response.send('deep');
    });
    app.use('/mounted', sub);
    const server = createServer(app);
    const url = await listen(server);
    await fetch(`${url}/mounted/deep/1`);
    await waitFor('both measurements', async () =>
      requestsTotal('GET', '/mounted/deep/:id', '200') === 2 ? true : undefined,
    );
    expect(inFlight('GET', 'unmatched') ?? 0).toBe(0);
    outer.dispose();
    inner.dispose();
    server.close();
  });
});
