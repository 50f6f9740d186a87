import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { SIGHTGLASS_VERSION } from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';
import {
  type HttpRpcMetadata,
  httpRpcMetadata,
  registeredTracerProvider,
  withHttpRpcMetadata,
} from './otel-http-internals.js';
import { methodLabel, OTHER_METHOD, pathOf } from './route.js';

/**
 * The request's part of a trace: the route template handed to the server span an HTTP instrumentation made
 * (OpenTelemetry's instrumentation-http), or a server span of our own where none did. Never two: our own
 * span is also put into its context as the request's HTTP RPC metadata, so a second measurement of the
 * same request, or another framework instrumentation, finds it and sets the route on it.
 *
 * Adapters call {@link traceRequest} only when a context manager is registered (see
 * otel-http-internals.ts): without one no instrumentation can have left anything in the active context,
 * and a span of ours could not be the parent of the handler's spans.
 */

// The HTTP semantic conventions' attribute names (stable), as local constants like the rest of the package.
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
const ATTR_HTTP_ROUTE = 'http.route';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
const ATTR_URL_PATH = 'url.path';
const ATTR_URL_SCHEME = 'url.scheme';
const ATTR_SERVER_ADDRESS = 'server.address';
const ATTR_SERVER_PORT = 'server.port';
const ATTR_CLIENT_ADDRESS = 'client.address';
const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
const ATTR_ERROR_TYPE = 'error.type';

/** `error.type` of a request whose client went away before its response ended (as on the metrics). */
export const CLIENT_CLOSED_ERROR_TYPE = 'client_closed';

/** The instrumentation scope of our spans. */
export const TRACER_NAME = '@sightglass/http';

/** A server span of ours, which is also the request's HTTP RPC metadata in the context it runs in. */
export class OwnServerSpan implements HttpRpcMetadata {
  readonly type = 'http' as const;
  /** The route template, set when known (Express: once its router matched). */
  route: string | undefined;
  /** The context to run the request's handler in: the span active, and this as its RPC metadata. */
  readonly context: Context;
  private ended = false;

  constructor(
    readonly span: Span,
    private readonly method: string,
    route: string | undefined,
    parent: Context,
  ) {
    this.route = route;
    this.context = withHttpRpcMetadata(trace.setSpan(parent, span), this);
  }

  /**
   * Ends the span with the response's outcome (once): its status code, `error.type` for a 5xx or a client
   * that left (`closed`), and the route as `http.route` and in the name. Nothing thrown reaches the caller.
   */
  end(response: ServerResponse, closed: boolean): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const span = this.span;
      const route = this.route;
      if (route !== undefined) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(spanName(this.method, route));
      }
      const status = response.statusCode;
      if (!closed || response.headersSent) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (closed) {
        span.setAttribute(ATTR_ERROR_TYPE, CLIENT_CLOSED_ERROR_TYPE);
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    } catch (error) {
      reportInstrumentationError('http server span end', error);
    }
  }
}

/**
 * Hands the request's route to the HTTP instrumentation's server span, or starts a server span of ours
 * where there is none and a tracer provider is registered. Returns what the request's tracing holds: the
 * instrumentation's RPC metadata (set `route` on it when the route is known later), our own span (run the
 * handler in its `context`, end it when the response closes), or undefined. Never throws.
 */
export function traceRequest(
  request: IncomingMessage,
  route: string | undefined,
): HttpRpcMetadata | OwnServerSpan | undefined {
  try {
    const metadata = httpRpcMetadata(context.active());
    if (metadata !== undefined) {
      if (route !== undefined) metadata.route = route;
      return metadata;
    }
    const provider = registeredTracerProvider();
    return provider === undefined ? undefined : startServerSpan(tracerFor(provider), request, route);
  } catch (error) {
    reportInstrumentationError('http server span start', error);
    return undefined;
  }
}

/**
 * The request's HTTP RPC metadata, if an HTTP instrumentation put one in the active context (its `span` is
 * the request's server span), with the route handed to it when known; starts no span. Never throws.
 */
export function requestRpcMetadata(route: string | undefined): HttpRpcMetadata | undefined {
  try {
    const metadata = httpRpcMetadata(context.active());
    if (metadata !== undefined && route !== undefined) metadata.route = route;
    return metadata;
  } catch (error) {
    reportInstrumentationError('http route for the server span', error);
    return undefined;
  }
}

/** Starts our server span, continuing the caller's trace (W3C `traceparent`, by the registered propagator). */
function startServerSpan(tracer: Tracer, request: IncomingMessage, route: string | undefined): OwnServerSpan {
  const method = methodLabel(request.method);
  const headers = request.headers;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: pathOf(request.url),
    [ATTR_URL_SCHEME]: (request.socket as TLSSocket | null)?.encrypted === true ? 'https' : 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
  };
  if (method === OTHER_METHOD && request.method !== undefined) {
    attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method;
  }
  if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
  const host = headers.host;
  if (host !== undefined) setServerAddress(attributes, host);
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  const client = request.socket?.remoteAddress;
  if (client !== undefined) attributes[ATTR_CLIENT_ADDRESS] = client;
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(spanName(method, route), { kind: SpanKind.SERVER, attributes }, parent);
  return new OwnServerSpan(span, method, route, parent);
}

/** The semantic conventions' server span name: `{method} {route}`, `{method}` without a route, `HTTP` for `_OTHER`. */
export function spanName(method: string, route: string | undefined): string {
  const name = method === OTHER_METHOD ? 'HTTP' : method;
  return route === undefined ? name : `${name} ${route}`;
}

/** `server.address` and `server.port` from a `Host` header (`example.com:8080`, `[::1]:8080`). */
function setServerAddress(attributes: Attributes, host: string): void {
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', close + 1);
  const address = colon === -1 ? host : host.slice(0, colon);
  attributes[ATTR_SERVER_ADDRESS] = close === -1 ? address : address.slice(1, close);
  if (colon !== -1) {
    const port = Number(host.slice(colon + 1));
    if (Number.isInteger(port) && port > 0) attributes[ATTR_SERVER_PORT] = port;
  }
}

/** The tracer, got again only when another tracer provider was registered. */
let tracerOwner: unknown;
let tracer: Tracer | undefined;

function tracerFor(provider: unknown): Tracer {
  if (tracer === undefined || provider !== tracerOwner) {
    tracer = trace.getTracer(TRACER_NAME, SIGHTGLASS_VERSION);
    tracerOwner = provider;
  }
  return tracer;
}
