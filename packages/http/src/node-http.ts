import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { compileRoutes } from './route.js';
import { OwnServerSpan } from './server-span.js';
import { type RequestTracing, trackRequest } from './track.js';

/** Options of the node:http adapters: how a request finds its route template. */
export interface NodeHttpMetricsOptions extends RequestMetricsOptions {
  /**
   * Route templates (`/v1/chat`, `/users/:id`, `/static/*`) matched against the path, first match wins.
   * @default none: every request is `route="unmatched"` unless `route` finds one
   */
  routes?: readonly string[];
  /**
   * Or a function returning the route template for a request (never the raw path), undefined if none.
   * @default none: `routes` alone
   */
  route?: (request: IncomingMessage) => string | undefined;
}

function routeFinder(options: NodeHttpMetricsOptions): (request: IncomingMessage) => string | undefined {
  if (options.route) return options.route;
  if (options.routes) {
    const matcher = compileRoutes(options.routes);
    return (request) => matcher.match(request.url ?? '/');
  }
  return () => undefined;
}

/** A request listener with its measurement, and `dispose()` to stop reporting. */
export type InstrumentedRequestListener = RequestListener & { dispose(): void };

/**
 * Wraps a node:http request listener so that every request is measured, and traced (see `tracing`): the
 * route handed to instrumentation-http's server span, or a server span of ours active for the listener.
 *
 * @example
 * const server = http.createServer(instrumentRequestListener(app, { routes: ['/v1/chat', '/v1/models/:name'] }));
 */
export function instrumentRequestListener(
  listener: RequestListener,
  options: NodeHttpMetricsOptions = {},
): InstrumentedRequestListener {
  const recorder = new RequestRecorder(options);
  const routeOf = routeFinder(options);
  const tracing: RequestTracing = options.tracing === false ? 'off' : 'own-span';
  const instrumented = (request: IncomingMessage, response: ServerResponse): void => {
    const traced = trackRequest(recorder, request, response, routeOf(request), tracing);
    if (traced instanceof OwnServerSpan) context.with(traced.context, listener, undefined, request, response);
    else listener(request, response);
  };
  return Object.assign(instrumented, { dispose: () => recorder.dispose() });
}

/** The servers {@link instrumentHttpServer} measures, until their `dispose()`. */
const instrumentedServers = new WeakSet<Server>();

/**
 * Measures every request a node:http server receives, whatever handles it. Returns the server itself with
 * `dispose()`, which stops measuring. With `tracing` it hands the route to instrumentation-http's server
 * span; it makes no server span of its own (it runs beside the server's listeners, not around them, so a
 * span of ours could not be their parent): for that, wrap the listener with {@link instrumentRequestListener}.
 * A server already instrumented is refused (`ERR_SIGHTGLASS_INVALID_ARGUMENT`): its requests would be counted
 * twice, and the second `dispose()` would replace the first.
 *
 * @example
 * const server = instrumentHttpServer(http.createServer(app), { routes: ['/v1/chat'] });
 */
export function instrumentHttpServer<S extends Server>(
  server: S,
  options: NodeHttpMetricsOptions = {},
): S & { dispose(): void } {
  if (instrumentedServers.has(server)) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      'this server is already instrumented by instrumentHttpServer; dispose() that instrumentation first',
    );
  }
  const recorder = new RequestRecorder(options);
  const routeOf = routeFinder(options);
  const tracing: RequestTracing = options.tracing === false ? 'off' : 'route-only';
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    trackRequest(recorder, request, response, routeOf(request), tracing);
  };
  server.prependListener('request', onRequest);
  instrumentedServers.add(server);
  let disposed = false;
  return Object.assign(server, {
    dispose() {
      if (disposed) return;
      disposed = true;
      server.off('request', onRequest);
      recorder.dispose();
      instrumentedServers.delete(server);
    },
  });
}
