import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { createDashboard, type DashboardOptions } from './dashboard.js';
import type { HealthEndpointOptions } from './health-response.js';
import { createHealthHandlers, createMetricsHandler, sendResponse } from './node-http.js';
import type { PrometheusReader } from './reader.js';

/** The default Prometheus exporter port, as OpenTelemetry assigns it. */
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** The default host: loopback, so metrics are not exposed beyond the machine unless asked. */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions extends HealthEndpointOptions {
  /**
   * Serve `/health`, `/livez` and `/readyz` beside the exposition.
   * @default true
   */
  health?: boolean;
  /**
   * Interface to listen on; use `0.0.0.0` for a container that Prometheus scrapes.
   * @default `127.0.0.1`
   */
  host?: string;
  /**
   * Port; 0 picks a free port (read it from `server.port`).
   * @default 9464
   */
  port?: number;
  /**
   * Path of the exposition.
   * @default `/metrics`
   */
  path?: string;
  /**
   * The reader to serve.
   * @default the one `startTelemetry()` registered
   */
  reader?: PrometheusReader;
  /**
   * Serve the built-in live dashboard at `/dashboard`, or `false` not to. Options bound its memory; see
   * {@link DashboardOptions}.
   * @default true (the server listens on loopback unless told otherwise)
   */
  dashboard?: boolean | DashboardOptions;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The exposition's URL, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** The dashboard's URL, e.g. `http://127.0.0.1:9464/dashboard`, when it is served. */
  readonly dashboardUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Checks a port number, throwing `ERR_SIGHTGLASS_INVALID_PORT` with what to change. */
export function validatePort(port: unknown, what = 'port'): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SightglassError(
      ErrorCode.INVALID_PORT,
      `${what} must be an integer from 0 to 65535 (0 picks a free port), got ${JSON.stringify(port)}`,
    );
  }
  return port;
}

/**
 * Starts a small HTTP server that serves only the exposition (and a short index at `/`). It fails with a
 * typed error when the address is taken or cannot be used.
 */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const host = options.host ?? DEFAULT_PROMETHEUS_HOST;
  const port = validatePort(options.port ?? DEFAULT_PROMETHEUS_PORT);
  const path = options.path ?? '/metrics';
  const handlers: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
    [path]: createMetricsHandler(options.reader ? { reader: options.reader } : {}),
  };
  if (options.health !== false) {
    const { health, livez, readyz } = createHealthHandlers(options);
    Object.assign(handlers, { '/health': health, '/livez': livez, '/readyz': readyz });
  }
  const dashboard =
    options.dashboard === false
      ? undefined
      : createDashboard(options.dashboard === true ? {} : (options.dashboard ?? {}));
  const paths = [...Object.keys(handlers), ...(dashboard ? [dashboard.path] : [])];
  const server = createServer(
    (request, response) => dashboard?.handle(request, response) || route(request, response, handlers, paths),
  );
  try {
    await listen(server, host, port);
  } catch (error) {
    dashboard?.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}${path}`,
    dashboardUrl: dashboard ? `http://${urlHost}:${bound}${dashboard.path}` : undefined,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        dashboard?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(
  request: IncomingMessage,
  response: ServerResponse,
  handlers: Record<string, (request: IncomingMessage, response: ServerResponse) => void>,
  paths: readonly string[],
): void {
  const pathname = (request.url ?? '/').split('?', 1)[0] ?? '/';
  const handler = Object.hasOwn(handlers, pathname) ? handlers[pathname] : undefined;
  if (handler !== undefined) {
    handler(request, response);
    return;
  }
  const index = pathname === '/';
  sendResponse(request, response, {
    status: index ? 200 : 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: index ? `Sightglass: ${paths.join(' ')}\n` : 'Not Found\n',
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const address = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new SightglassError(
            ErrorCode.PORT_IN_USE,
            `${address} is already in use: choose another port (option prometheus.port or ` +
              'OTEL_EXPORTER_PROMETHEUS_PORT), or 0 for any free port',
            { cause: error },
          ),
        );
      } else {
        reject(
          new SightglassError(ErrorCode.LISTEN_FAILED, `cannot listen on ${address}: ${error.message}`, {
            cause: error,
          }),
        );
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
