/** The route label of a request that matched no route (never the raw path: that would be unbounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The status label of a request whose client went away before the response ended (nginx's 499). */
export const CLIENT_CLOSED_STATUS = '499';

/** The method label of a method outside the standard set (as the OTel semantic conventions do). */
export const OTHER_METHOD = '_OTHER';

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** The method label: the standard methods as they are, anything else `_OTHER`. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}

/** A route template matcher for plain node:http: `/users/:id` matches `/users/42`, `/files/*` any rest. */
export interface RouteMatcher {
  /** The template a path matches, or undefined. */
  match(path: string): string | undefined;
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
        if (part === '*') return '.*';
        if (part.startsWith(':')) return '[^/]+';
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { template, regex: new RegExp(`^${pattern}/?$`) };
  });
  return {
    match(path) {
      for (const route of compiled) if (route.regex.test(path)) return route.template;
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
