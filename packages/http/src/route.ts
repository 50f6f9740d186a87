/** The route label of a request that matched no route (never the raw path: that would be unbounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The status label of a request whose client went away before the response ended (nginx's 499). */
export const CLIENT_CLOSED_STATUS = '499';

/** The method label of a method outside the standard set (as the OTel semantic conventions do). */
export const OTHER_METHOD = '_OTHER';

/** The method label: the standard methods as they are, anything else `_OTHER`. */
export function methodLabel(method: string | undefined): string {
  // A switch, not a Set: the parser's method strings are the same constants, so this is a pointer
  // comparison or two per request, touching no table.
  switch (method) {
    case 'GET':
    case 'POST':
    case 'HEAD':
    case 'PUT':
    case 'DELETE':
    case 'PATCH':
    case 'OPTIONS':
    case 'CONNECT':
    case 'TRACE':
      return method;
    default:
      return OTHER_METHOD;
  }
}

/** A route template matcher for plain node:http: `/users/:id` matches `/users/42`, `/files/*` any rest. */
export interface RouteMatcher {
  /** The template a path, or a request URL with its query, matches; undefined if none. */
  match(pathOrUrl: string): string | undefined;
}

/**
 * Compiles route templates (`/v1/chat`, `/users/:id`, `/static/*`) into a matcher. Templates are tried in
 * the order given; the first that matches wins.
 */
export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const compiled = templates.map((template) => {
    const pattern = template
      .split('/')
      .map((part) => {
        // Neither a wildcard nor a parameter reaches into the query: the pattern matches the URL as it
        // came, so a request needs no scan for `?` and no sliced path to find its route.
        if (part === '*') return '[^?]*';
        if (part.startsWith(':')) return '[^/?]+';
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { template, regex: new RegExp(`^${pattern}/?(?:\\?|$)`) };
  });
  return {
    match(path) {
      for (let index = 0; index < compiled.length; index++) {
        const route = compiled[index]!;
        if (route.regex.test(path)) return route.template;
      }
      return undefined;
    },
  };
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
