import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RouteWatcher, unwatchRoutes, watchRoutes } from './express-internals.js';
import { type RequestMetricsOptions, RequestRecorder, type RouteEntry } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';

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
  private done = false;

  constructor(
    readonly request: IncomingMessage,
    private readonly recorder: RequestRecorder,
    private entry: RouteEntry,
    private readonly started: number,
  ) {}

  matched(template: string): void {
    if (!this.done && template !== this.entry.route) this.entry = this.recorder.move(this.entry, template);
  }

  finish(response: ServerResponse): void {
    if (this.done) return;
    this.done = true;
    unwatchRoutes(this);
    this.recorder.exit(this.entry, this.started, response.statusCode, response.writableFinished !== true);
  }
}

/**
 * Express middleware measuring every request under its route template (`req.baseUrl` + the matched route's
 * path, e.g. `/api/users/:id`); a request no route matched is `unmatched`. Mount it first.
 *
 * The route is known only once Express's router matches it (after any `await` in middleware before it),
 * so the in-flight gauge counts a request under `unmatched` until then and under its route from then on.
 *
 * @example
 * app.use(requestMetrics({ ignorePaths: ['/metrics'] }));
 */
export function requestMetrics(options: RequestMetricsOptions = {}): RequestMetricsMiddleware {
  const recorder = new RequestRecorder(options);
  const middleware = (
    request: IncomingMessage,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    if (!recorder.ignoresAny || !recorder.ignores(pathOf(request.url))) {
      const measurement = new ExpressMeasurement(
        request,
        recorder,
        recorder.enter(methodLabel(request.method)),
        performance.now(),
      );
      watchRoutes(measurement);
      // The response closes once: after its last byte, or unfinished when the client left (499).
      response.on('close', () => measurement.finish(response));
    }
    next();
  };
  return Object.assign(middleware, { dispose: () => recorder.dispose() });
}
