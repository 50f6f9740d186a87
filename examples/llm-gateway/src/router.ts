import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  createHealthHandlers,
  createMetricsHandler,
  type HealthEndpointOptions,
  type PrometheusReader,
} from '@sightglass/prometheus';
import type { HealthDetails } from './health-details.js';
import { HttpError } from './http-error.js';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './request-body.js';
import { parseGatewayRequest, type RequestKind } from './requests.js';
import { sendError, sendJson } from './respond.js';
import { clientGone, type StreamOutcomes, sendStream } from './stream-response.js';
import type { Upstream } from './upstream.js';

/** The API: `POST` a JSON body, get Ollama's answer back as JSON. */
export const API_ROUTES: Readonly<Record<string, RequestKind>> = Object.freeze({
  '/v1/chat': 'chat',
  '/v1/generate': 'generate',
  '/v1/embed': 'embed',
});

/** Operational endpoints by path (`GET`/`HEAD`): metrics and health (the gateway mounts `/dashboard` ahead of these). */
export type OpsRoutes = Readonly<Record<string, RequestListener>>;

/** Scrapes and probes: served, but not counted in the request metrics (they would drown the API's). */
export const UNMEASURED_PATHS: readonly string[] = ['/metrics', '/health', '/livez', '/readyz'];

/** Options of {@link opsRoutes}. */
export interface OpsRoutesOptions {
  /** The reader `/metrics` serves. Default: the one `startTelemetry()` registered. */
  reader?: PrometheusReader;
  /** Options of the health endpoints (deadline, freshness, registry), but for `details`. */
  health?: Omit<HealthEndpointOptions, 'details'>;
  /**
   * Whether `/health` and `/readyz` show details, or a function asked at each request. Default `always`.
   */
  details?: HealthDetails | (() => HealthDetails);
  /** Serve `/metrics`. Default `true`. */
  metrics?: boolean;
}

/**
 * `/metrics` (the Prometheus exposition of the reader `startTelemetry()` set up), `/health`, `/livez` and
 * `/readyz` (the health registry every Sightglass package registers in), on the gateway's own port.
 */
export function opsRoutes(options: OpsRoutesOptions = {}): OpsRoutes {
  const shown = createHealthHandlers({ ...options.health, details: 'always' });
  const hidden = createHealthHandlers({ ...options.health, details: 'never' });
  const { details = 'always' } = options;
  // Anything but a clear `always` (a function that throws included) hides them: they can name hosts.
  const handlers = () => {
    try {
      return (typeof details === 'function' ? details() : details) === 'always' ? shown : hidden;
    } catch {
      return hidden;
    }
  };
  return {
    ...(options.metrics === false
      ? {}
      : { '/metrics': createMetricsHandler(options.reader === undefined ? {} : { reader: options.reader }) }),
    '/health': (request, response) => handlers().health(request, response),
    '/livez': shown.livez,
    '/readyz': (request, response) => handlers().readyz(request, response),
  };
}

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** What answers the API routes. */
  upstream: Upstream;
  /** Operational endpoints; none by default. */
  ops?: OpsRoutes;
  /** The largest request body read, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Called with every error that is not an `HttpError` (a bug), answered with 500. Default `console.error`. */
  onUnexpectedError?: (error: unknown) => void;
  /** Where streamed responses are counted by outcome; not counted without it. */
  streamOutcomes?: StreamOutcomes;
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/**
 * The gateway's request listener: the API routes, the operational endpoints, and JSON errors for everything
 * else (404 for an unknown path, 405 for a wrong method).
 *
 * @example
 * const server = http.createServer(createRouter({ upstream, ops: opsRoutes() }));
 */
export function createRouter(options: RouterOptions): RequestListener {
  const api = new Map(Object.entries(API_ROUTES));
  const ops = new Map(Object.entries(options.ops ?? {}));
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onUnexpectedError = options.onUnexpectedError ?? ((error: unknown) => console.error(error));

  const serveApi = async (
    route: string,
    kind: RequestKind,
    request: IncomingMessage,
    response: ServerResponse,
  ) => {
    try {
      if (request.method !== 'POST') {
        throw new HttpError(405, 'method_not_allowed', `use POST for ${pathOf(request.url)}`, {
          allow: 'POST',
        });
      }
      const gatewayRequest = parseGatewayRequest(kind, await readJsonBody(request, maxBodyBytes));
      if (gatewayRequest.kind !== 'embed' && gatewayRequest.stream === true) {
        if (options.upstream.stream === undefined) {
          throw new HttpError(400, 'invalid_request', 'this upstream does not stream; leave stream out');
        }
        const chunks = await options.upstream.stream(gatewayRequest, clientGone(response));
        options.streamOutcomes?.record(route, await sendStream(response, chunks));
        return;
      }
      const answer = await options.upstream.answer(gatewayRequest);
      sendJson(response, 200, answer.json, answer.cache === undefined ? {} : { 'x-cache': answer.cache });
    } catch (error) {
      if (error instanceof HttpError) return sendError(response, error);
      onUnexpectedError(error);
      sendError(response, new HttpError(500, 'internal_error', 'the gateway failed; see its log'));
    }
  };

  return (request, response) => {
    const path = pathOf(request.url);
    const kind = api.get(path);
    if (kind !== undefined) {
      void serveApi(path, kind, request, response);
      return;
    }
    const op = ops.get(path);
    if (op === undefined) {
      sendError(response, new HttpError(404, 'not_found', `no route ${path.slice(0, 100)}`));
    } else if (request.method === 'GET' || request.method === 'HEAD') {
      op(request, response);
    } else {
      sendError(
        response,
        new HttpError(405, 'method_not_allowed', `use GET for ${path}`, { allow: 'GET, HEAD' }),
      );
    }
  };
}
