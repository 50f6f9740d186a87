import { reportInstrumentationError } from '@sightglass/core/internal';
import { acceptsGzip, formatSpec, negotiateFormat } from './exposition-format.js';
import { defaultPrometheusReader, type PrometheusReader } from './reader.js';

/** An HTTP response, independent of the framework that sends it. */
export interface HttpResponseParts<Body extends string | Buffer = string | Buffer> {
  status: number;
  headers: Record<string, string>;
  /** The body: a Buffer when it is gzip-encoded. */
  body: Body;
}

/** What a `/metrics` handler reads of a request: node:http's, Express's and Fastify's requests all fit. */
export interface ScrapeRequest {
  method?: string | undefined;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
}

/** Options shared by every `/metrics` handler. */
export interface MetricsHandlerOptions {
  /**
   * The reader to serve.
   * @default the one `startTelemetry()` registered
   */
  reader?: PrometheusReader;
  /**
   * Compress the exposition when the scraper accepts gzip (Prometheus always does).
   * @default true
   */
  gzip?: boolean;
}

const TEXT = 'text/plain; charset=utf-8';

function header(request: ScrapeRequest, name: string): string | undefined {
  const value = request.headers?.[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The response to a scrape: 200 with the exposition for GET and HEAD, in the format the `Accept` header
 * asks for (OpenMetrics 1.0 or the text format 0.0.4) and gzip-encoded when `Accept-Encoding` allows; 405 for
 * other methods, 503 when no reader is set up yet, 500 when collection failed. Never rejects.
 */
export async function metricsResponse(
  request: ScrapeRequest,
  options: MetricsHandlerOptions = {},
): Promise<HttpResponseParts> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return {
      status: 405,
      headers: { 'content-type': TEXT, allow: 'GET, HEAD' },
      body: 'Method Not Allowed\n',
    };
  }
  const reader = options.reader ?? defaultPrometheusReader();
  if (reader === undefined) {
    return {
      status: 503,
      headers: { 'content-type': TEXT },
      body: 'No Prometheus reader is set up: call startTelemetry() from @sightglass/node, or pass { reader }.\n',
    };
  }
  try {
    const format = negotiateFormat(header(request, 'accept'));
    const headers: Record<string, string> = {
      'content-type': formatSpec(format).contentType,
      vary: 'accept, accept-encoding',
    };
    if (options.gzip !== false && acceptsGzip(header(request, 'accept-encoding'))) {
      headers['content-encoding'] = 'gzip';
      return { status: 200, headers, body: await reader.renderGzip(format) };
    }
    return { status: 200, headers, body: await reader.render(format) };
  } catch (error) {
    reportInstrumentationError('Prometheus scrape', error);
    return {
      status: 500,
      headers: { 'content-type': TEXT },
      body: 'Metrics collection failed; see the service log.\n',
    };
  }
}
