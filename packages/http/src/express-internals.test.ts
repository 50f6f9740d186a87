/**
 * Canary for the Express internals express-internals.ts relies on. If this fails after an Express
 * upgrade, the request-metrics middleware no longer sees routes: fix express-internals.ts first.
 */
import { createServer } from 'node:http';
import express from 'express';
import { expect, it } from 'vitest';
import { type RouteWatcher, unwatchRoutes, watchRoutes } from './express-internals.js';
import { listen } from './test-support/requests.js';

it('Express gives requests their app’s `request` as prototype, and a mounted app’s inherits it', async () => {
  const app = express();
  const sub = express();
  const seen: boolean[] = [];
  app.use((request, _response, next) => {
    seen.push(Object.getPrototypeOf(request) === app.request);
    next();
  });
  sub.get('/x', (request, response) => {
    seen.push(
      Object.getPrototypeOf(request) === sub.request,
      Object.getPrototypeOf(sub.request) === app.request,
    );
    response.end();
  });
  app.use('/sub', sub);
  const server = createServer(app);
  await fetch(`${await listen(server)}/sub/x`);
  server.close();
  expect(seen).toEqual([true, true, true]);
});

it('Express’s router assigns req.route on a match, with req.baseUrl set to the mount path', async () => {
  const app = express();
  const matched: string[] = [];
  app.use((request, _response, next) => {
    const watcher: RouteWatcher = {
      request,
      route: undefined,
      next: undefined,
      matched: (template) => matched.push(template),
    };
    watchRoutes(watcher);
    next();
  });
  const router = express.Router();
  router.get('/items/:id', (request, response) => {
    response.send(String((request.route as { path: string }).path));
  });
  app.use('/api', router);
  const server = createServer(app);
  const body = await (await fetch(`${await listen(server)}/api/items/1`)).text();
  server.close();
  expect(body).toBe('/items/:id'); // req.route reads as Express set it
  // Express 5.3 assigns it twice per match (router and route); each assignment sees the same template.
  expect(matched.length).toBeGreaterThan(0);
  expect(new Set(matched)).toEqual(new Set(['/api/items/:id']));
});

it('keeps watchers of several requests on one socket apart, and lets each go', () => {
  const socket = {};
  const prototype = {};
  const first = Object.assign(Object.create(prototype), { socket, baseUrl: '' });
  const second = Object.assign(Object.create(prototype), { socket, baseUrl: '/v2' });
  const heard: string[] = [];
  const watcher = (request: object, name: string): RouteWatcher => ({
    request,
    route: undefined,
    next: undefined,
    matched: (template) => heard.push(`${name} ${template}`),
  });
  const a = watcher(first, 'first');
  const b = watcher(second, 'second');
  watchRoutes(a);
  watchRoutes(b);
  second.route = { path: '/x' };
  first.route = { path: '/y' };
  expect(heard).toEqual(['second /v2/x', 'first /y']);
  expect([first.route.path, second.route.path]).toEqual(['/y', '/x']);
  unwatchRoutes(a);
  unwatchRoutes(b);
  first.route = { path: '/z' }; // unwatched: kept as Express would
  expect(first.route.path).toBe('/z');
  expect(heard).toHaveLength(2);
});
