import { reportInstrumentationError } from '@sightglass/core';
import { PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import { defaultPrometheusReader, type PrometheusReader } from './reader.js';

/** An HTTP response, independent of the framework that sends it. */
export interface HttpResponseParts {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options shared by every `/metrics` handler. */
export interface MetricsHandlerOptions {
  /** The reader to serve. Default: the one `startTelemetry()` registered. */
  reader?: PrometheusReader;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * The response to a scrape: 200 with the exposition for GET and HEAD, 405 for other methods, 503 when no
 * reader is set up yet, 500 when collection failed. Never rejects.
 */
export async function metricsResponse(
  method: string | undefined,
  options: MetricsHandlerOptions = {},
): Promise<HttpResponseParts> {
  if (method !== 'GET' && method !== 'HEAD') {
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
    const body = await reader.render();
    return { status: 200, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE }, body };
  } catch (error) {
    reportInstrumentationError('Prometheus scrape', error);
    return {
      status: 500,
      headers: { 'content-type': TEXT },
      body: 'Metrics collection failed; see the service log.\n',
    };
  }
}
