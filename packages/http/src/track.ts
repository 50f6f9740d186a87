import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecorder } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';

/**
 * Measures one request whose route is known when it arrives, until its response closes: after the last
 * byte was handed to the OS (so a streamed response counts its whole length), or when the client left
 * first (`writableFinished` is then false, recorded as 499). A response that ended normally on a
 * connection that then closes (`Connection: close`) has finished writing, so it keeps its status.
 *
 * Per request it allocates one closure, as the floor in node-http.bench.ts does: no measurement object,
 * no property added to the response (each of those measured slower). Returns the start time
 * (`performance.now()`), or -1 for a path left out.
 */
export function trackRequest(
  recorder: RequestRecorder,
  request: IncomingMessage,
  response: ServerResponse,
  route: string | undefined,
): number {
  if (recorder.ignoresAny && recorder.ignores(pathOf(request.url))) return -1;
  const entry = recorder.enter(methodLabel(request.method), route);
  const started = performance.now();
  // `close` is emitted once per response, after `finish` or, unfinished, when the client left. A request
  // measured twice (a server-wide instrumentation and a wrapped listener) gets one listener per measurement.
  response.on('close', () =>
    recorder.exit(entry, started, response.statusCode, response.writableFinished !== true),
  );
  return started;
}
