/**
 * Canary for the Express internals express-internals.ts relies on. If this fails after an Express
 * upgrade, the request-metrics middleware no longer sees routes: fix express-internals.ts first.
 */
import { createServer } from 'node:http';
import express from 'express';
import { expect, it } from 'vitest';
import { type RouteWatcher, watchRoutes } from './express-internals.js';
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
  const watcher: RouteWatcher = {
    route: undefined,
    next: undefined,
    matched: (template) => matched.push(template),
  };
  app.use((request, _response, next) => {
    watchRoutes(request, watcher);
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
