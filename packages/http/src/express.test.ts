import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestMetrics } from './express.js';
import { inFlight, listen, requestsTotal } from './test-support/requests.js';

describe('Express 5 middleware', () => {
  let server: Server;
  let url: string;
  let releaseSlow: (() => void) | undefined;
  const metrics = requestMetrics({ ignorePaths: ['/metrics'] });

  beforeAll(async () => {
    const app = express();
    app.use(metrics);
    app.get('/users/:id', (request, response) => {
      response.json({ id: request.params.id });
    });
    const api = express.Router();
    api.get('/items/:itemId', (_request, response) => {
      response.send('item');
    });
    api.get('/slow', (_request, response) => {
      releaseSlow = () => response.send('slow');
    });
    app.use('/api', api);
    app.get('/boom', () => {
      throw new Error('handler failed');
    });
    app.get('/metrics', (_request, response) => {
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
    server.close();
  });

  it('labels requests with the route template, including a mounted router’s prefix', async () => {
    await fetch(`${url}/users/7`);
    await fetch(`${url}/users/8`);
    await fetch(`${url}/api/items/3`);
    expect(requestsTotal('GET', '/users/:id', '200')).toBe(2);
    expect(requestsTotal('GET', '/api/items/:itemId', '200')).toBe(1);
  });

  it('labels a request no route matched `unmatched`, and an error with the status sent', async () => {
    await fetch(`${url}/nothing/here`);
    await fetch(`${url}/boom`);
    expect(requestsTotal('GET', 'unmatched', '404')).toBe(1);
    expect(requestsTotal('GET', '/boom', '500')).toBe(1);
  });

  it('moves a request in flight to its route once Express matched it', async () => {
    const pending = fetch(`${url}/api/slow`);
    while (releaseSlow === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(inFlight('GET', '/api/slow')).toBe(1);
    expect(inFlight('GET', 'unmatched') ?? 0).toBe(0);
    releaseSlow();
    await (await pending).text();
    expect(inFlight('GET', '/api/slow')).toBe(0);
  });

  it('leaves ignored paths out', async () => {
    await fetch(`${url}/metrics`);
    expect(requestsTotal('GET', '/metrics', '200')).toBeUndefined();
  });
});
