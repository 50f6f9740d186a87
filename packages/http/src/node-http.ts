import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { contextManagerRegistered } from './otel-http-internals.js';
import { type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { compileRoutes, pathOf } from './route.js';
import { handRoute, OwnServerSpan, traceRequest } from './server-span.js';
import { trackRequest } from './track.js';

/** Options of the node:http adapters: how a request finds its route template. */
export interface NodeHttpMetricsOptions extends RequestMetricsOptions {
  /** Route templates (`/v1/chat`, `/users/:id`, `/static/*`) matched against the path, first match wins. */
  routes?: readonly string[];
  /** Or a function returning the route template for a request (never the raw path), undefined if none. */
  route?: (request: IncomingMessage) => string | undefined;
}

function routeFinder(options: NodeHttpMetricsOptions): (request: IncomingMessage) => string | undefined {
  if (options.route) return options.route;
  if (options.routes) {
    const matcher = compileRoutes(options.routes);
    return (request) => matcher.match(pathOf(request.url));
  }
  return () => undefined;
}

/** A request listener with its measurement, and `dispose()` to stop reporting. */
export type InstrumentedRequestListener = RequestListener & { dispose(): void };

/**
 * Calls the listener traced (see server-span.ts): with instrumentation-http, after handing it the route;
 * without, inside a server span of ours, ended when the response closes.
 */
function listenTraced(
  listener: RequestListener,
  request: IncomingMessage,
  response: ServerResponse,
  route: string | undefined,
): void {
  const traced = traceRequest(request, route);
  if (traced instanceof OwnServerSpan) {
    response.on('close', () => traced.end(response, response.writableFinished !== true));
    context.with(traced.context, listener, undefined, request, response);
  } else {
    listener(request, response);
  }
}

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
  const tracing = options.tracing !== false;
  const instrumented = (request: IncomingMessage, response: ServerResponse): void => {
    const route = routeOf(request);
    const started = trackRequest(recorder, request, response, route);
    // Without an OpenTelemetry context manager (a metrics-only service), a property load or two.
    if (tracing && started >= 0 && contextManagerRegistered(started)) {
      listenTraced(listener, request, response, route);
    } else {
      listener(request, response);
    }
  };
  return Object.assign(instrumented, { dispose: () => recorder.dispose() });
}

/**
 * Measures every request a node:http server receives, whatever handles it. Returns `dispose()`, which
 * stops measuring. With `tracing` it hands the route to instrumentation-http's server span; it makes no
 * server span of its own (it runs beside the server's listeners, not around them, so a span of ours could
 * not be their parent): for that, wrap the listener with {@link instrumentRequestListener}.
 */
export function instrumentHttpServer(
  server: Server,
  options: NodeHttpMetricsOptions = {},
): { dispose(): void } {
  const recorder = new RequestRecorder(options);
  const routeOf = routeFinder(options);
  const tracing = options.tracing !== false;
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const route = routeOf(request);
    const started = trackRequest(recorder, request, response, route);
    if (tracing && started >= 0 && route !== undefined && contextManagerRegistered(started)) {
      handRoute(route);
    }
  };
  server.prependListener('request', onRequest);
  return {
    dispose() {
      server.off('request', onRequest);
      recorder.dispose();
    },
  };
}
