import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestMeasurement, RequestRecorder } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';

/**
 * Measures one request until its response closes: after the last byte was handed to the OS (so a streamed
 * response counts its whole length), or when the client left first (`writableFinished` is then false).
 * One plain listener per request: each one costs an allocation on a path that serves tens of thousands of
 * requests a second. Returns the measurement, or undefined when the path is ignored.
 */
export function trackRequest(
  recorder: RequestRecorder,
  request: IncomingMessage,
  response: ServerResponse,
  route?: string,
): RequestMeasurement | undefined {
  if (recorder.ignoresAny && recorder.ignores(pathOf(request.url))) return undefined;
  const measurement = recorder.start(methodLabel(request.method), route);
  // A node:http ServerResponse emits `close` once, after `finish` or, unfinished, when the client left. One
  // shared listener reads the measurement off the response: no closure to allocate per request (measured
  // faster than a closure in request-metrics.bench.ts).
  const measured = response as MeasuredResponse;
  if (measured[MEASUREMENT] === undefined) {
    measured[MEASUREMENT] = measurement;
    response.on('close', onResponseClose);
  } else {
    // Measured twice (an Express sub-app with its own middleware, or a server-wide instrumentation too):
    // each measurement must finish, so the second gets a listener of its own.
    response.on('close', () => measurement.finish(response.statusCode, response.writableFinished !== true));
  }
  return measurement;
}

const MEASUREMENT = Symbol('sightglass.requestMeasurement');

type MeasuredResponse = ServerResponse & { [MEASUREMENT]?: RequestMeasurement };

function onResponseClose(this: MeasuredResponse): void {
  this[MEASUREMENT]?.finish(this.statusCode, this.writableFinished !== true);
}
