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
 * anything defined on a request (an accessor, a property) builds a new hidden class per request, and a
 * WeakMap entry per request measured slower still. One accessor on the prototype, defined once, costs
 * nothing per request until a route matches; the per-request state sits on the socket (see RouteWatcher).
 */

/**
 * What a measured request is watched by: the route Express assigned, and what to tell when it does.
 * Watchers are kept on the request's socket, not on the request: Express gives each request a hidden
 * class of its own, so a property added to a request builds a new hidden class every time (measured
 * slower), while sockets share theirs. A socket can hold several (pipelined requests, or one request
 * measured by two middlewares), each naming its request.
 */
export interface RouteWatcher {
  /** The request watched. */
  readonly request: object;
  /** The route object Express assigned last, what `req.route` reads. */
  route: unknown;
  /** Told the matched route's template under its mount path (`/api/users/:id`). */
  matched(template: string): void;
  /** The next watcher on the same socket. */
  next: RouteWatcher | undefined;
}

/** The route Express assigns: its `path` is the template as registered (`/users/:id`). */
interface ExpressRoute {
  path?: unknown;
}

const WATCHERS = Symbol.for('sightglass.http.expressRouteWatchers');
const WATCHED = Symbol.for('sightglass.http.expressRoutesWatched');
/** Where an unwatched request (an ignored path) keeps the route Express assigned. */
const ROUTE = Symbol.for('sightglass.http.expressRoute');

type Holder = { [WATCHERS]?: RouteWatcher | undefined };
type Watched = Holder & { [WATCHED]?: true; [ROUTE]?: unknown; baseUrl?: string; socket?: Holder | null };

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

/** Where a request's watchers are kept: its socket, or the request itself when it has none. */
function holderOf(request: Watched): Holder {
  return request.socket ?? request;
}

/**
 * Makes `watcher` hear every route Express's router matches for its request, until {@link unwatchRoutes}.
 * The first time a prototype is seen (an application's `app.request`) one `route` accessor is defined on
 * it, which the requests of that application and of applications mounted in it afterwards inherit;
 * requests of other applications are not affected, and `req.route` keeps reading as Express set it.
 */
export function watchRoutes(watcher: RouteWatcher): void {
  const request = watcher.request as Watched;
  if (request[WATCHED] !== true) defineRouteAccessor(Object.getPrototypeOf(request) as object);
  const holder = holderOf(request);
  watcher.next = holder[WATCHERS];
  holder[WATCHERS] = watcher;
}

/** Stops `watcher` hearing routes (its request ended). */
export function unwatchRoutes(watcher: RouteWatcher): void {
  const holder = holderOf(watcher.request as Watched);
  let each = holder[WATCHERS];
  if (each === watcher) {
    holder[WATCHERS] = watcher.next;
    return;
  }
  while (each !== undefined && each.next !== watcher) each = each.next;
  if (each !== undefined) each.next = watcher.next;
}

function defineRouteAccessor(prototype: object): void {
  Object.defineProperty(prototype, WATCHED, { value: true, configurable: true });
  Object.defineProperty(prototype, 'route', {
    configurable: true,
    get(this: Watched) {
      for (let each = holderOf(this)[WATCHERS]; each !== undefined; each = each.next)
        if (each.request === this) return each.route;
      return this[ROUTE];
    },
    set(this: Watched, route: ExpressRoute | undefined) {
      let watched = false;
      let template: string | undefined;
      for (let each = holderOf(this)[WATCHERS]; each !== undefined; each = each.next) {
        if (each.request !== this) continue;
        watched = true;
        each.route = route;
        if (route?.path === undefined) continue;
        template ??= templateOf(route, this.baseUrl);
        each.matched(template);
      }
      if (!watched) this[ROUTE] = route;
    },
  });
}
