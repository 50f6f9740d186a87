import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type RouteWatcher, unwatchRoutes, watchRoutes } from './express-internals.js';
import { contextManagerRegistered, type HttpRpcMetadata } from './otel-http-internals.js';
import { type RequestMetricsOptions, RequestRecorder, type RouteEntry } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';
import { OwnServerSpan, traceRequest } from './server-span.js';
import { endTracedRequest } from './track.js';

/** Express middleware, with `dispose()` to stop reporting. */
export type RequestMetricsMiddleware = ((
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void) & { dispose(): void };

/** One Express request being measured: it hears the route Express matches, and ends when the response closes. */
class ExpressMeasurement implements RouteWatcher {
  route: unknown = undefined;
  next: RouteWatcher | undefined = undefined;
  /** The request's tracing: the HTTP instrumentation's RPC metadata or our own server span (traced only). */
  traced: HttpRpcMetadata | undefined = undefined;
  private done = false;

  constructor(
    readonly request: IncomingMessage,
    private readonly recorder: RequestRecorder,
    private entry: RouteEntry,
    private readonly started: number,
  ) {}

  matched(template: string): void {
    if (this.done) return;
    if (template !== this.entry.route) this.entry = this.recorder.move(this.entry, template);
    // The server span's route, read by instrumentation-http (or by our span) when the response closes.
    if (this.traced !== undefined) this.traced.route = template;
  }

  finish(response: ServerResponse): void {
    if (this.done) return;
    this.done = true;
    unwatchRoutes(this);
    const closed = response.writableFinished !== true;
    const traced = this.traced;
    // The server span (instrumentation-http's or ours) is the duration's exemplar when it is sampled.
    endTracedRequest(this.recorder, this.entry, this.started, response, closed, traced);
  }
}

/**
 * Express middleware measuring every request under its route template (`req.baseUrl` + the matched route's
 * path, e.g. `/api/users/:id`); a request no route matched is `unmatched`. Mount it first.
 *
 * The route is known only once Express's router matches it (after any `await` in middleware before it),
 * so the in-flight gauge counts a request under `unmatched` until then and under its route from then on.
 * With `tracing`, that route is handed to instrumentation-http's server span when Express matches it, or,
 * without one, the rest of the chain runs inside a server span of ours (see {@link RequestMetricsOptions}).
 *
 * @example
 * app.use(expressRequestMetrics({ ignorePaths: ['/metrics'] }));
 */
export function expressRequestMetrics(options: RequestMetricsOptions = {}): RequestMetricsMiddleware {
  const recorder = new RequestRecorder(options);
  const tracing = options.tracing !== false;
  const middleware = (
    request: IncomingMessage,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    if (!recorder.ignoresAny || !recorder.ignores(pathOf(request.url))) {
      const started = performance.now();
      const measurement = new ExpressMeasurement(
        request,
        recorder,
        recorder.enter(methodLabel(request.method)),
        started,
      );
      watchRoutes(measurement);
      // The response closes once: after its last byte, or unfinished when the client left (499).
      response.on('close', () => measurement.finish(response));
      // Without an OpenTelemetry context manager (a metrics-only service), a property load or two.
      if (tracing && contextManagerRegistered(started)) {
        const traced = traceRequest(request, undefined);
        measurement.traced = traced;
        if (traced instanceof OwnServerSpan) {
          context.with(traced.context, next);
          return;
        }
      }
    }
    next();
  };
  return Object.assign(middleware, { dispose: () => recorder.dispose() });
}
