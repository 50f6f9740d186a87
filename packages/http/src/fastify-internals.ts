/**
 * The Fastify 5 internal the request-metrics plugin depends on, in this one module;
 * fastify-internals.test.ts is its canary and fails if Fastify changes it.
 *
 * Fastify keeps each request's route context under an own symbol property described `fastify.context`
 * (`kRouteContext` in fastify/lib/symbols.js), whose `config.url` is the route's template, undefined for
 * the not-found handler. The public way, `request.routeOptions.url`, builds and freezes an object of a dozen
 * fields on every read; on a path that serves tens of thousands of requests a second that is measurable.
 * Without the symbol (a Fastify that moved it) the public way is used.
 */

/** The parts of a Fastify request read here. */
export interface FastifyRequestLike {
  routeOptions?: { url?: string };
}

type WithContext = Record<symbol, { config?: { url?: string } } | undefined>;

/** The route-context symbol once found, or null when Fastify has none (then the public way is used). */
let contextKey: symbol | null | undefined;

/** The route template a request matched (`/users/:id`), or undefined when it matched none. */
export function routeTemplateOf(request: FastifyRequestLike): string | undefined {
  if (contextKey === undefined) {
    contextKey =
      Object.getOwnPropertySymbols(request).find((key) => key.description === 'fastify.context') ?? null;
  }
  if (contextKey !== null) {
    const config = (request as WithContext)[contextKey]?.config;
    if (config !== undefined) return config.url;
  }
  return request.routeOptions?.url;
}

/** Whether the route template is read from Fastify's route context (the internal), for the canary test. */
export function readsRouteContext(): boolean {
  return typeof contextKey === 'symbol';
}
