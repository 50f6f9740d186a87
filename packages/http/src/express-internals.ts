/**
 * The Express 5 internals the request-metrics middleware depends on, in this one module;
 * express-internals.test.ts is their canary and fails if Express changes them.
 *
 * 1. Express gives each request its application's `app.request` as prototype (`Object.setPrototypeOf` in
 *    `app.handle`), and a mounted application's `request` inherits from its parent's.
 * 2. Its router announces a matched route by a plain assignment, `req.route = route`, while `req.baseUrl`
 *    is the mount path the route is under, so a setter inherited from the prototype sees every match.
 *
 * Why rely on them: Express gives each request object a hidden class of its own (the prototype swap), so
 * anything defined per request (an accessor, a WeakMap entry) is slow; one accessor on the prototype,
 * defined once, costs nothing per request until a route matches.
 */

/**
 * What a measured request carries (under one symbol, shared by every copy of this package): the route
 * Express assigned, and what to tell when it does. A request measured twice (middleware in an application
 * and in one mounted in it) chains the second watcher behind the first.
 */
export interface RouteWatcher {
  /** The route object Express assigned last, what `req.route` reads. */
  route: unknown;
  /** Told the matched route's template under its mount path (`/api/users/:id`). */
  matched(template: string): void;
  /** A second watcher of the same request. */
  next: RouteWatcher | undefined;
}

/** The route Express assigns: its `path` is the template as registered (`/users/:id`). */
interface ExpressRoute {
  path?: unknown;
}

const WATCHER = Symbol.for('sightglass.http.expressRouteWatcher');
const WATCHED = Symbol.for('sightglass.http.expressRoutesWatched');
/** Where an unmeasured request (an ignored path) keeps the route Express assigned. */
const ROUTE = Symbol.for('sightglass.http.expressRoute');

type Watched = { [WATCHER]?: RouteWatcher; [WATCHED]?: true; [ROUTE]?: unknown; baseUrl?: string };

/** Templates of mounted routes by route and mount path, so a request builds no string to look up. */
const templates = new WeakMap<object, { baseUrl: string; template: string }>();

function templateOf(route: ExpressRoute, baseUrl: string | undefined): string {
  const path = String(route.path);
  if (!baseUrl) return path;
  const cached = templates.get(route);
  if (cached?.baseUrl === baseUrl) return cached.template;
  const template = `${baseUrl}${path}`;
  templates.set(route, { baseUrl, template });
  return template;
}

/**
 * Makes `watcher` hear every route Express's router matches for `request`, from now on. The first time
 * a prototype is seen (an application's `app.request`) one `route` accessor is defined on it, which the
 * requests of that application and of applications mounted in it afterwards inherit; requests of other
 * applications are not affected, and `req.route` keeps reading as Express set it.
 */
export function watchRoutes(request: object, watcher: RouteWatcher): void {
  const watched = request as Watched;
  if (watched[WATCHED] !== true) defineRouteAccessor(Object.getPrototypeOf(request) as object);
  const first = watched[WATCHER];
  if (first === undefined) watched[WATCHER] = watcher;
  else {
    watcher.next = first.next;
    first.next = watcher;
  }
}

function defineRouteAccessor(prototype: object): void {
  Object.defineProperty(prototype, WATCHED, { value: true, configurable: true });
  Object.defineProperty(prototype, 'route', {
    configurable: true,
    get(this: Watched) {
      const watcher = this[WATCHER];
      return watcher === undefined ? this[ROUTE] : watcher.route;
    },
    set(this: Watched, route: ExpressRoute | undefined) {
      const watcher = this[WATCHER];
      if (watcher === undefined) {
        this[ROUTE] = route;
        return;
      }
      const template = route?.path === undefined ? undefined : templateOf(route, this.baseUrl);
      for (let each: RouteWatcher | undefined = watcher; each !== undefined; each = each.next) {
        each.route = route;
        if (template !== undefined) each.matched(template);
      }
    },
  });
}
