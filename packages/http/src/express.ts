import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { trackRequest } from './track.js';

/** The parts of an Express request this middleware reads. */
interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
}

/** Express middleware, with `dispose()` to stop reporting. */
export type RequestMetricsMiddleware = ((
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void) & { dispose(): void };

/**
 * Express middleware measuring every request under its route template (`req.baseUrl` + the matched route's
 * path, e.g. `/api/users/:id`); a request no route matched is `unmatched`. Mount it first.
 *
 * The route is known only once Express's router matches it, so the middleware watches `req.route` being
 * set: the in-flight gauge moves from `unmatched` to the route at that moment.
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
    const measurement = trackRequest(recorder, request, response);
    if (measurement !== undefined) {
      const expressRequest = request as ExpressRequestLike;
      let matched: unknown;
      Object.defineProperty(request, 'route', {
        configurable: true,
        enumerable: true,
        get: () => matched,
        set(route: { path?: unknown } | undefined) {
          matched = route;
          if (route?.path !== undefined)
            measurement.setRoute(`${expressRequest.baseUrl ?? ''}${String(route.path)}`);
        },
      });
    }
    next();
  };
  return Object.assign(middleware, { dispose: () => recorder.dispose() });
}
