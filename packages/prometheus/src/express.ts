import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsHandlerOptions } from './metrics-response.js';
import { createMetricsHandler } from './node-http.js';

/** An Express-compatible handler: `(req, res, next)`. Express's own types are not needed. */
export type ExpressHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Express middleware (tested with Express 5) serving the exposition where it is mounted.
 *
 * @example
 * app.get('/metrics', expressMetrics());
 */
export function expressMetrics(options: MetricsHandlerOptions = {}): ExpressHandler {
  const handler = createMetricsHandler(options);
  return (request, response) => handler(request, response);
}
