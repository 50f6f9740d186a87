import { waitFor } from '@sightglass/test-kit';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fastifyRequestMetrics } from './fastify.js';
import { getAndClose, getAndLeave } from './test-support/clients.js';
import { inFlight, requestsTotal } from './test-support/requests.js';

describe('Fastify 5 plugin', () => {
  const app = Fastify();
  let releaseSlow: (() => void) | undefined;
  let url: string;

  beforeAll(async () => {
    await app.register(fastifyRequestMetrics, { ignorePaths: ['/metrics'] });
    app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    app.get(
      '/slow',
      () =>
        new Promise((resolve) => {
          releaseSlow = () => resolve('slow');
        }),
    );
    app.get('/fail', async () => {
      throw new Error('nope');
    });
    app.get('/metrics', async () => 'scrape');
    app.get('/hang', () => new Promise(() => {}));
    await app.register(
      async (child) => {
        child.get('/items/:id', async () => 'item');
      },
      { prefix: '/v2' },
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('labels requests with the route template', async () => {
    const users = (requestsTotal('GET', '/users/:id', '200') ?? 0) + 2;
    await fetch(`${url}/users/1`);
    await fetch(`${url}/users/2`);
    await fetch(`${url}/fail`);
    await fetch(`${url}/missing`);
    expect(requestsTotal('GET', '/users/:id', '200')).toBe(users);
    expect(requestsTotal('GET', '/fail', '500')).toBe(1);
    expect(requestsTotal('GET', 'unmatched', '404')).toBe(1);
  });

  it('labels a route of a prefixed plugin with its full template', async () => {
    await fetch(`${url}/v2/items/1`);
    expect(requestsTotal('GET', '/v2/items/:id', '200')).toBe(1);
  });

  it('keeps the status of a normal response on a connection that closes after it (not 499)', async () => {
    const users = (requestsTotal('GET', '/users/:id', '200') ?? 0) + 1;
    expect(await getAndClose(`${url}/users/3`)).toBe(200);
    await waitFor('the request to be recorded', async () =>
      requestsTotal('GET', '/users/:id', '200') === users ? true : undefined,
    );
    expect(requestsTotal('GET', '/users/:id', '499')).toBeUndefined();
  });

  it('records a client that left mid-request as 499, as before', async () => {
    await getAndLeave(`${url}/hang`);
    await waitFor('the abort to be recorded', async () =>
      requestsTotal('GET', '/hang', '499') === 1 ? true : undefined,
    );
    expect(inFlight('GET', '/hang')).toBe(0);
  });

  it('counts a request in flight under its route', async () => {
    const pending = fetch(`${url}/slow`);
    await vi.waitFor(() => expect(releaseSlow).toBeDefined());
    expect(inFlight('GET', '/slow')).toBe(1);
    releaseSlow?.();
    await (await pending).text();
    expect(inFlight('GET', '/slow')).toBe(0);
  });

  it('leaves ignored paths out, and stops reporting when Fastify closes', async () => {
    await fetch(`${url}/metrics`);
    expect(requestsTotal('GET', '/metrics', '200')).toBeUndefined();
    const other = Fastify();
    await other.register(fastifyRequestMetrics);
    other.get('/only-here', async () => 'x');
    await other.inject({ method: 'GET', url: '/only-here' });
    expect(requestsTotal('GET', '/only-here', '200')).toBe(1); // recorded by the time inject resolves
    await other.close();
    expect(requestsTotal('GET', '/only-here', '200')).toBeUndefined();
  });
});
