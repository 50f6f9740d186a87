import { CATALOG, metricRegistry } from '@sightglass/core';
import { expect, it } from 'vitest';
import { createRequestMetrics } from './create-request-metrics.js';
import { histogramSeries } from './test-support/requests.js';

const requests = (labels: { method: string; route: string; status: string }) =>
  metricRegistry().value(CATALOG.requests, labels) ?? 0;
const inFlight = (method: string, route: string) =>
  metricRegistry().value(CATALOG.requestsInFlight, { method, route });

it('records a request driven by hand: in flight until finished, then counted and timed once', () => {
  const metrics = createRequestMetrics();
  const labels = { method: 'POST', route: '/by-hand/:id', status: '201' };
  const before = requests(labels);
  const durationsBefore = histogramSeries(CATALOG.requestDurationSeconds, labels)?.count ?? 0;
  const measurement = metrics.start('POST', '/by-hand/:id');
  expect(inFlight('POST', '/by-hand/:id')).toBe(1);
  measurement.finish(201);
  measurement.finish(201);
  expect(requests(labels)).toBe(before + 1);
  expect(inFlight('POST', '/by-hand/:id')).toBe(0);
  // The duration histogram's count: one record for the one request.
  expect(histogramSeries(CATALOG.requestDurationSeconds, labels)?.count).toBe(durationsBefore + 1);
  metrics.dispose();
});

it('labels a route set after the start, an unknown method as _OTHER, and a client that left as 499', () => {
  const metrics = createRequestMetrics();
  const routed = metrics.start('GET');
  routed.setRoute('/late/:id');
  routed.finish(200);
  expect(requests({ method: 'GET', route: '/late/:id', status: '200' })).toBeGreaterThanOrEqual(1);
  const before = requests({ method: '_OTHER', route: 'unmatched', status: '499' });
  metrics.start('BREW').finish(200, { clientClosed: true });
  expect(requests({ method: '_OTHER', route: 'unmatched', status: '499' })).toBe(before + 1);
  metrics.dispose();
});
