import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG, type HistogramSnapshot, metricRegistry } from '@sightglass/core';
import { expect } from 'vitest';

/** `requests_total` for one label set, as reported now. */
export function requestsTotal(method: string, route: string, status: string): number | undefined {
  return metricRegistry().value(CATALOG.requests, { method, route, status });
}

/** `requests_in_flight` for one label set, as reported now. */
export function inFlight(method: string, route: string): number | undefined {
  return metricRegistry().value(CATALOG.requestsInFlight, { method, route });
}

/** Starts listening on a free loopback port; returns the base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A histogram series as `metricRegistry().snapshot()` reports it (what the exposition writers and the OTLP
 * producer read), found by a subset of its attributes; undefined if it has no value.
 */
export function histogramSeries(
  definition: typeof CATALOG.requestDurationSeconds | typeof CATALOG.httpServerRequestDuration,
  attributes: Record<string, string | number>,
): HistogramSnapshot | undefined {
  const metric = metricRegistry()
    .snapshot()
    .find((each) => each.definition.name === definition.name);
  return metric?.series.find((series) =>
    Object.entries(attributes).every(([name, value]) => series.attributes[name] === value),
  )?.histogram;
}

/** The exemplars a histogram series keeps, with the index of the bucket each is in (none: `[]`). */
export function exemplarsOf(histogram: HistogramSnapshot | undefined) {
  return (histogram?.exemplars ?? []).flatMap((exemplar, bucket) =>
    exemplar === undefined ? [] : [{ bucket, ...exemplar }],
  );
}

/**
 * Asserts that a series holding one request keeps exactly one exemplar, the request's: its value is the
 * duration recorded (the series' sum), it sits in the bucket that value falls into (the bucket holding the
 * request), and it points at `span` (trace id and span id).
 */
export function expectOneExemplar(
  histogram: HistogramSnapshot | undefined,
  span: { spanContext(): { traceId: string; spanId: string } },
  recordedAfterMs: number,
): void {
  expect(histogram?.count).toBe(1);
  const exemplars = exemplarsOf(histogram);
  expect(exemplars).toHaveLength(1);
  const [exemplar] = exemplars;
  const { traceId, spanId } = span.spanContext();
  expect(exemplar).toMatchObject({ traceId, spanId, value: histogram!.sum });
  const { boundaries, counts } = histogram!;
  const bucket = exemplar!.bucket;
  expect(counts[bucket]).toBe(1);
  expect(exemplar!.value).toBeLessThanOrEqual(boundaries[bucket] ?? Number.POSITIVE_INFINITY);
  expect(exemplar!.value).toBeGreaterThan(boundaries[bucket - 1] ?? Number.NEGATIVE_INFINITY);
  // The exemplar's time is the request's end on the monotonic clock, set to the wall clock to the
  // millisecond (`Date.now()` has no finer grain): within a millisecond of the wall clock around it.
  expect(exemplar!.timeMs).toBeGreaterThanOrEqual(recordedAfterMs - 1);
  expect(exemplar!.timeMs).toBeLessThanOrEqual(Date.now() + 1);
  expect(Number.isInteger(exemplar!.timeMs)).toBe(true);
}
