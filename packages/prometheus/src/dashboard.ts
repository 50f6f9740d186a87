import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';
import { type DashboardAssets, loadDashboardAssets } from './dashboard-assets.js';
import { DashboardHistory, type DashboardHistoryOptions } from './dashboard-history.js';
import { sendResponse } from './node-http.js';

/** Options of {@link createDashboard}. */
export interface DashboardOptions extends DashboardHistoryOptions {
  /**
   * Where the page is served; its data and scripts live below it.
   * @default `/dashboard`
   */
  path?: string;
  /**
   * The page's title.
   * @default `Sightglass`
   */
  title?: string;
}

/** The built-in live dashboard: a page, its scripts and a JSON feed of the recent history. */
export interface Dashboard {
  /** Where the page is served, e.g. `/dashboard`. */
  readonly path: string;
  /** The sampled history the page reads. */
  readonly history: DashboardHistory;
  /**
   * Serves the request when its path is the dashboard's (or below it) and returns `true`; returns `false`
   * and leaves the response alone otherwise, so it composes with any node:http or Express application.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** Stops sampling. */
  close(): void;
}

const PATH_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * Creates the built-in dashboard and starts sampling the metric registry (a timer that never holds the
 * process open). Mount it on your own server, or let `startMetricsServer` serve it.
 *
 * @example
 * const dashboard = createDashboard();
 * http.createServer((req, res) => dashboard.handle(req, res) || app(req, res));
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const path = options.path ?? '/dashboard';
  if (!PATH_PATTERN.test(path)) {
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      `dashboard path must look like /dashboard (letters, digits, . _ ~ - between slashes, no trailing slash), got ${JSON.stringify(path)}`,
    );
  }
  const history = new DashboardHistory(options);
  // The page and uPlot are read from disk on first use, not here: a bundled application without the files
  // gets a 503 at /dashboard (reported once), never a failure to start its telemetry.
  let assets: DashboardAssets | undefined;
  const loadAssets = (): DashboardAssets => {
    assets ??= loadDashboardAssets({ path, title: options.title ?? 'Sightglass' });
    return assets;
  };
  history.start();

  const handle = (request: IncomingMessage, response: ServerResponse): boolean => {
    const pathname = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (pathname !== path && !pathname.startsWith(`${path}/`)) return false;
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        sendResponse(request, response, {
          status: 405,
          headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
          body: 'Method Not Allowed\n',
        });
        return true;
      }
      const rest = pathname.slice(path.length);
      if (rest === '/data') {
        history.viewed();
        sendResponse(request, response, asset(JSON.stringify(history), 'application/json; charset=utf-8'));
        return true;
      }
      let files: DashboardAssets;
      try {
        files = loadAssets();
      } catch (error) {
        reportInstrumentationError('dashboard assets', error);
        sendResponse(request, response, {
          status: 503,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'The dashboard page is not available: its files could not be read (see the diagnostics log).\n',
        });
        return true;
      }
      if (rest === '' || rest === '/') {
        sendResponse(request, response, asset(files.page, 'text/html; charset=utf-8'));
      } else {
        const file = files.files.get(rest.slice(1));
        sendResponse(
          request,
          response,
          file
            ? asset(file.body, file.contentType, 'max-age=3600') // scripts and styles do not change while it runs
            : { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found\n' },
        );
      }
    } catch (error) {
      reportInstrumentationError('dashboard response', error);
      if (!response.headersSent) response.writeHead(500).end();
    }
    return true;
  };

  return { path, history, handle, close: () => history.stop() };
}

function asset(body: string, contentType: string, cacheControl = 'no-store') {
  return { status: 200, headers: { 'content-type': contentType, 'cache-control': cacheControl }, body };
}
