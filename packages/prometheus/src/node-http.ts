import type { IncomingMessage, ServerResponse } from 'node:http';
import { reportInstrumentationError } from '@sightglass/core/internal';
import {
  type HealthEndpointOptions,
  healthResponse,
  livenessResponse,
  readinessResponse,
  validateHealthEndpointOptions,
} from './health-response.js';
import { type HttpResponseParts, type MetricsHandlerOptions, metricsResponse } from './metrics-response.js';

/** Writes framework-independent response parts to a node:http response (HEAD gets headers only). */
export function sendResponse(
  request: IncomingMessage,
  response: ServerResponse,
  parts: HttpResponseParts,
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(parts.status, { ...parts.headers, 'content-length': Buffer.byteLength(parts.body) });
  response.end(request.method === 'HEAD' ? undefined : parts.body);
}

/**
 * A node:http request listener that serves the exposition, for mounting on your own server:
 *
 * @example
 * const metrics = createMetricsHandler();
 * http.createServer((req, res) => (req.url === '/metrics' ? metrics(req, res) : app(req, res)));
 */
export function createMetricsHandler(
  options: MetricsHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    metricsResponse(request, options)
      .then((parts) => sendResponse(request, response, parts))
      .catch((error: unknown) => {
        // metricsResponse never rejects; this only guards against a response that cannot be written.
        reportInstrumentationError('metrics response', error);
        if (!response.headersSent) response.writeHead(500).end();
      });
  };
}

/** node:http handlers for the health endpoints (Express accepts them as they are: `app.get('/health', …)`). */
export interface HealthHandlers {
  health: (request: IncomingMessage, response: ServerResponse) => void;
  livez: (request: IncomingMessage, response: ServerResponse) => void;
  readyz: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * Request listeners for `/health`, `/livez` and `/readyz`, for your own server or Express.
 *
 * @example
 * const { health, livez, readyz } = createHealthHandlers({ details: 'never' });
 * app.get('/health', health); app.get('/livez', livez); app.get('/readyz', readyz);
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_CONFIG` for options it cannot use.
 */
export function createHealthHandlers(options: HealthEndpointOptions = {}): HealthHandlers {
  validateHealthEndpointOptions(options);
  const serve =
    (respond: () => Promise<HttpResponseParts> | HttpResponseParts) =>
    (request: IncomingMessage, response: ServerResponse): void => {
      Promise.resolve()
        .then(respond)
        .then((parts) => sendResponse(request, response, parts))
        .catch((error: unknown) => {
          reportInstrumentationError('health response', error);
          if (!response.headersSent) response.writeHead(500).end();
        });
    };
  return {
    health: serve(() => healthResponse(options)),
    livez: serve(livenessResponse),
    readyz: serve(() => readinessResponse(options)),
  };
}
