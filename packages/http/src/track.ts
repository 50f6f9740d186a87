import type { IncomingMessage, ServerResponse } from 'node:http';
import { reportInstrumentationError } from '@sightglass/core/internal';
import { contextManagerRegistered, type HttpRpcMetadata } from './otel-http-internals.js';
import type { RequestRecorder, RouteEntry } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';
import { OwnServerSpan, requestRpcMetadata, traceRequest } from './server-span.js';

/**
 * How a node:http adapter traces its requests (see server-span.ts): `off` for `tracing: false`; `own-span`
 * (a wrapped listener) hands the route to an HTTP instrumentation's server span or starts a span of ours;
 * `route-only` (a server-wide listener, beside the others, so no parent of theirs) only hands the route.
 */
export type RequestTracing = 'off' | 'own-span' | 'route-only';

/**
 * Ends a traced request: records it, with its server span as the exemplar when that span is sampled, and
 * ends our own span. A failure to record goes to the OTel diag logger, not to the server's `close` event
 * (where it would be an uncaught exception), and the span ends anyway: a server span that never ends is
 * never exported, and it is the trace the exemplars point at.
 */
export function endTracedRequest(
  recorder: RequestRecorder,
  entry: RouteEntry,
  started: number,
  response: ServerResponse,
  closed: boolean,
  traced: HttpRpcMetadata | OwnServerSpan | undefined,
): void {
  try {
    recorder.exit(entry, started, response.statusCode, closed, traced?.span);
  } catch (error) {
    reportInstrumentationError('http request metrics', error);
  }
  if (traced instanceof OwnServerSpan) traced.end(response, closed);
}

/**
 * Measures one request whose route is known when it arrives, until its response closes: after the last
 * byte was handed to the OS (so a streamed response counts its whole length), or when the client left
 * first (`writableFinished` is then false, recorded as 499). A response that ended normally on a
 * connection that then closes (`Connection: close`) has finished writing, so it keeps its status.
 *
 * Untraced (tracing off, or no OpenTelemetry context manager registered) it allocates one closure per
 * request, as the floor in node-http.bench.ts does: no measurement object, no property added to the
 * response (each of those measured slower). Traced, the closure also holds the request's tracing, whose
 * server span becomes the duration's exemplar and, if it is ours, is ended there. Returns that tracing
 * (run the listener in an {@link OwnServerSpan}'s context), undefined when untraced or left out.
 */
export function trackRequest(
  recorder: RequestRecorder,
  request: IncomingMessage,
  response: ServerResponse,
  route: string | undefined,
  tracing: RequestTracing,
): HttpRpcMetadata | undefined {
  if (recorder.ignoresAny && recorder.ignores(pathOf(request.url))) return undefined;
  const entry = recorder.enter(methodLabel(request.method), route);
  const started = performance.now();
  // Without an OpenTelemetry context manager (a metrics-only service), a property load or two.
  if (tracing !== 'off' && contextManagerRegistered(started)) {
    return trackTraced(recorder, request, response, route, entry, started, tracing);
  }
  // `close` is emitted once per response, after `finish` or, unfinished, when the client left. A request
  // measured twice (a server-wide instrumentation and a wrapped listener) gets one listener per measurement.
  response.on('close', () =>
    recorder.exit(entry, started, response.statusCode, response.writableFinished !== true, undefined),
  );
  return undefined;
}

/** The traced path of {@link trackRequest}: one `close` listener records the request and ends our span. */
function trackTraced(
  recorder: RequestRecorder,
  request: IncomingMessage,
  response: ServerResponse,
  route: string | undefined,
  entry: RouteEntry,
  started: number,
  tracing: RequestTracing,
): HttpRpcMetadata | undefined {
  const traced = tracing === 'own-span' ? traceRequest(request, route) : requestRpcMetadata(route);
  response.on('close', () =>
    endTracedRequest(recorder, entry, started, response, response.writableFinished !== true, traced),
  );
  return traced;
}
