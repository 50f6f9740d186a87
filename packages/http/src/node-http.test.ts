import { createServer, request as httpRequest } from 'node:http';
import { CATALOG, type MetricDefinition, metricRegistry } from '@sightglass/core';
import { waitFor } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentHttpServer, instrumentRequestListener } from './node-http.js';
import { getAndClose } from './test-support/clients.js';
import { inFlight, listen, requestsTotal } from './test-support/requests.js';

/** The histogram series of an entry as the registry reports them now. */
function histogramSeries(definition: MetricDefinition) {
  return metricRegistry()
    .snapshot()
    .filter((entry) => entry.definition === definition)
    .flatMap((entry) => entry.series);
}

async function durations(route: string) {
  return histogramSeries(CATALOG.requestDurationSeconds)
    .filter((series) => series.attributes.route === route)
    .map((series) => ({ ...series.attributes, count: series.histogram?.count, sum: series.histogram?.sum }));
}

/** The number of requests the duration histogram of a route counted (undefined: no series). */
async function durationCount(route: string): Promise<number | undefined> {
  const counts = histogramSeries(CATALOG.requestDurationSeconds).filter(
    ({ attributes }) =>
      attributes.route === route && attributes.method === 'GET' && attributes.status === '200',
  );
  return counts.length === 0
    ? undefined
    : counts.reduce((total, series) => total + (series.histogram?.count ?? 0), 0);
}

/**
 * `requests_total` counted from now on: each call returns how much one label set grew since
 * `countsFromNow()`, so a test reads its own requests whatever ran before it.
 */
function countsFromNow(): (method: string, route: string, status: string) => number {
  const before = new Map<string, number>();
  const key = (...labels: string[]) => labels.join(' ');
  const snapshot = metricRegistry()
    .snapshot()
    .find((entry) => entry.definition === CATALOG.requests);
  for (const series of snapshot?.series ?? []) {
    const { method, route, status } = series.attributes as Record<string, string>;
    before.set(key(method!, route!, status!), series.value);
  }
  return (method, route, status) =>
    (requestsTotal(method, route, status) ?? 0) - (before.get(key(method, route, status)) ?? 0);
}

describe('instrumentRequestListener', () => {
  let url: string;
  let release: (() => void) | undefined;
  let endStream: (() => void) | undefined;
  const server = createServer(
    instrumentRequestListener(
      (request, response) => {
        if (request.url?.startsWith('/slow')) {
          release = () => response.end('slow');
          return;
        }
        if (request.url === '/stream') {
          response.write('chunk 1\n');
          endStream = () => response.end('chunk 2\n');
          return;
        }
        if (request.url === '/hang') return; // never answers
        response.statusCode = request.url?.startsWith('/users/') ? 200 : 404;
        response.end('done');
      },
      {
        routes: ['/users/:id', '/slow', '/stream', '/hang'],
        ignorePaths: ['/metrics'],
        semanticConventions: true,
      },
    ),
  );
  beforeAll(async () => {
    url = await listen(server);
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  /** A client that asks for /hang, which never answers, and leaves once the server has the request. */
  async function leaveHanging(): Promise<void> {
    const client = httpRequest(`${url}/hang`);
    client.on('error', () => {}); // the socket it destroys itself
    client.end();
    await waitFor('the request to arrive', async () => (inFlight('GET', '/hang') === 1 ? true : undefined));
    client.destroy();
  }

  it('counts and times requests by method, route template and status', async () => {
    const counted = countsFromNow();
    const timed = (await durationCount('/users/:id')) ?? 0;
    await fetch(`${url}/users/1`);
    await fetch(`${url}/users/2?x=1`);
    await fetch(`${url}/nowhere/3`);
    await fetch(`${url}/users/1`, { method: 'PROPFIND' });
    expect(counted('GET', '/users/:id', '200')).toBe(2);
    expect(counted('GET', 'unmatched', '404')).toBe(1);
    expect(counted('_OTHER', '/users/:id', '200')).toBe(1);
    expect(await durationCount('/users/:id')).toBe(timed + 2);
  });

  it('leaves ignored paths out', async () => {
    const counted = countsFromNow();
    await fetch(`${url}/metrics`);
    await fetch(`${url}/nowhere/4`); // counted: it shows the ignored one before it was not
    expect(counted('GET', 'unmatched', '404')).toBe(1);
  });

  it('shows a request in flight until its response ends', async () => {
    const pending = fetch(`${url}/slow`);
    await waitFor('the request to arrive', async () => (release ? true : undefined));
    expect(inFlight('GET', '/slow')).toBe(1);
    release?.();
    await (await pending).text();
    expect(inFlight('GET', '/slow')).toBe(0);
    expect(requestsTotal('GET', '/slow', '200')).toBe(1);
  });

  it('measures a streamed response over its whole length, not to its first byte', async () => {
    const body = (await fetch(`${url}/stream`)).body!.getReader();
    expect(new TextDecoder().decode((await body.read()).value)).toBe('chunk 1\n');
    expect(inFlight('GET', '/stream')).toBe(1);
    expect(await durations('/stream')).toEqual([]); // not measured at the first byte
    endStream?.();
    while (!(await body.read()).done);
    await waitFor('the stream to be recorded', async () =>
      (await durationCount('/stream')) === 1 ? true : undefined,
    );
    expect(inFlight('GET', '/stream')).toBe(0);
  });

  it('records a client that left before the response ended as 499', async () => {
    const counted = countsFromNow();
    await leaveHanging();
    await waitFor('the abort to be recorded', async () =>
      counted('GET', '/hang', '499') === 1 ? true : undefined,
    );
    expect(inFlight('GET', '/hang')).toBe(0);
  });

  it('keeps the status of a normal response on a connection that closes after it (not 499)', async () => {
    const counted = countsFromNow();
    expect(await getAndClose(`${url}/users/5`)).toBe(200);
    await waitFor('the request to be recorded', async () =>
      counted('GET', '/users/:id', '200') === 1 ? true : undefined,
    );
    expect(requestsTotal('GET', '/users/:id', '499')).toBeUndefined();
  });

  it('records http.server.request.duration with semantic-convention attributes when asked', async () => {
    await fetch(`${url}/users/6`);
    const counted = countsFromNow();
    await leaveHanging();
    await waitFor('the abort to be recorded', async () =>
      counted('GET', '/hang', '499') === 1 ? true : undefined,
    );
    const series = histogramSeries(CATALOG.httpServerRequestDuration);
    expect(series.map((point) => point.attributes)).toEqual(
      expect.arrayContaining([
        { 'http.request.method': 'GET', 'http.route': '/users/:id', 'http.response.status_code': '200' },
        { 'http.request.method': 'GET', 'http.route': '/hang', 'error.type': 'client_closed' },
      ]),
    );
  });
});

describe('instrumentHttpServer', () => {
  it('measures every request of a server, with a route function, until disposed', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const instrumentation = instrumentHttpServer(server, {
      route: (request) => (request.url?.startsWith('/items/') ? '/items/:id' : undefined),
    });
    expect(instrumentation).toBe(server); // the server itself, with dispose()
    expect(() => instrumentHttpServer(server)).toThrow(
      expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_ARGUMENT' }),
    );
    const url = await listen(server);
    await fetch(`${url}/items/9`);
    await fetch(`${url}/other`);
    expect(requestsTotal('GET', '/items/:id', '200')).toBe(1);
    expect(requestsTotal('GET', 'unmatched', '200')).toBe(1);
    instrumentation.dispose();
    await fetch(`${url}/items/9`);
    expect(requestsTotal('GET', '/items/:id', '200')).toBeUndefined();
    // Once disposed, the server can be instrumented again, and disposed again.
    instrumentHttpServer(server).dispose();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('finishes both measurements of a request measured twice, leaving nothing in flight', async () => {
    const server = createServer(
      instrumentRequestListener((_request, response) => response.end('ok'), { routes: ['/twice/:n'] }),
    );
    const instrumentation = instrumentHttpServer(server, { route: () => '/twice-outer' });
    const url = await listen(server);
    await fetch(`${url}/twice/1`);
    await waitFor('both measurements', async () =>
      requestsTotal('GET', '/twice/:n', '200') === 1 && requestsTotal('GET', '/twice-outer', '200') === 1
        ? true
        : undefined,
    );
    expect(inFlight('GET', '/twice/:n')).toBe(0);
    expect(inFlight('GET', '/twice-outer')).toBe(0);
    instrumentation.dispose();
    server.close();
  });

  it('keeps route values bounded when a route function returns raw paths', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const instrumentation = instrumentHttpServer(server, { route: (request) => request.url });
    const url = await listen(server);
    for (let i = 0; i < 120; i++) await fetch(`${url}/raw/${i}`);
    expect(requestsTotal('GET', 'other', '200')).toBeGreaterThan(0); // past the label guard's budget
    instrumentation.dispose();
    server.close();
  });
});
