/**
 * Canary for the Fastify internal fastify-internals.ts relies on. If this fails after a Fastify upgrade,
 * the plugin falls back to `request.routeOptions.url` (correct, slower): fix fastify-internals.ts.
 */
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { readsRouteContext, routeTemplateOf } from './fastify-internals.js';

it('reads the route template from Fastify’s route context, as routeOptions.url has it', async () => {
  const app = Fastify();
  const seen: Array<[string | undefined, string | undefined]> = [];
  app.addHook('onRequest', (request, _reply, done) => {
    seen.push([routeTemplateOf(request), request.routeOptions.url]);
    done();
  });
  await app.register(
    async (child) => {
      child.get('/users/:id', async () => 'user');
    },
    { prefix: '/v1' },
  );
  await app.inject({ method: 'GET', url: '/v1/users/3' });
  await app.inject({ method: 'GET', url: '/missing' });
  await app.close();
  expect(readsRouteContext()).toBe(true);
  expect(seen).toEqual([
    ['/v1/users/:id', '/v1/users/:id'],
    [undefined, undefined],
  ]);
});

it('falls back to routeOptions.url for a request without Fastify’s route context', () => {
  expect(routeTemplateOf({ routeOptions: { url: '/fallback' } })).toBe('/fallback');
});
