import { type Span, TraceFlags, trace } from '@opentelemetry/api';
import { CATALOG, metricRegistry } from '@sightglass/core';
import { expect, it, vi } from 'vitest';
import { RequestRecorder } from './request-recorder.js';
import { exemplarsOf, histogramSeries } from './test-support/requests.js';

it('keeps series and memory bounded however many raw routes it sees', () => {
  const recorder = new RequestRecorder();
  const before = metricRegistry().seriesCount(CATALOG.requestDurationSeconds);
  for (let i = 0; i < 6000; i++) recorder.start('GET', `/raw/${i}`).finish(200);
  for (let i = 0; i < 2000; i++) recorder.start('GET', `/later/${i % 10}`).finish(200);
  const added = metricRegistry().seriesCount(CATALOG.requestDurationSeconds) - before;
  expect(added).toBeLessThanOrEqual(101); // the label guard's 100 routes, then `other`
  expect(
    metricRegistry().value(CATALOG.requests, { method: 'GET', route: 'other', status: '200' }),
  ).toBeGreaterThan(0);
  recorder.dispose();
});

it('never counts a request twice, and keeps the in-flight gauge at zero or above', () => {
  const recorder = new RequestRecorder();
  const measurement = recorder.start('POST', '/twice');
  measurement.setRoute('/twice/:id');
  measurement.finish(201);
  measurement.finish(201);
  measurement.setRoute('/late');
  expect(
    metricRegistry().value(CATALOG.requests, { method: 'POST', route: '/twice/:id', status: '201' }),
  ).toBe(1);
  expect(metricRegistry().value(CATALOG.requestsInFlight, { method: 'POST', route: '/twice/:id' })).toBe(0);
  expect(metricRegistry().value(CATALOG.requestsInFlight, { method: 'POST', route: '/twice' })).toBe(0);
  recorder.dispose();
});

it('records a request whose span throws or has unusable ids, without an exemplar and without throwing', () => {
  const recorder = new RequestRecorder({ semanticConventions: true });
  const throwing = {
    spanContext() {
      throw new Error('spanContext');
    },
  } as unknown as Span;
  const numericIds = trace.wrapSpanContext({
    traceId: 1 as unknown as string,
    spanId: 2 as unknown as string,
    traceFlags: TraceFlags.SAMPLED,
  });
  for (const span of [throwing, numericIds]) {
    const started = performance.now();
    expect(() => recorder.exit(recorder.enter('GET', '/odd-span'), started, 200, false, span)).not.toThrow();
  }
  const labels = { method: 'GET', route: '/odd-span', status: '200' };
  expect(histogramSeries(CATALOG.requestDurationSeconds, labels)?.count).toBe(2);
  expect(exemplarsOf(histogramSeries(CATALOG.requestDurationSeconds, labels))).toEqual([]);
  expect(histogramSeries(CATALOG.httpServerRequestDuration, { 'http.route': '/odd-span' })?.count).toBe(2);
  expect(metricRegistry().value(CATALOG.requestsInFlight, { method: 'GET', route: '/odd-span' })).toBe(0);
  recorder.dispose();
});

it('times an exemplar by the wall clock, and follows a step of it within a second', () => {
  // The first exemplar of this file: the recorder reads the wall clock at it, then once a second.
  vi.useFakeTimers({ toFake: ['Date', 'performance'], now: Date.UTC(2026, 0, 1) });
  try {
    const recorder = new RequestRecorder();
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    const requestAt = (route: string) => {
      const started = performance.now();
      vi.advanceTimersByTime(3); // the request takes 3 ms
      recorder.exit(recorder.enter('GET', route), started, 200, false, span);
      const labels = { method: 'GET', route, status: '200' };
      return exemplarsOf(histogramSeries(CATALOG.requestDurationSeconds, labels))[0]?.timeMs;
    };
    expect(requestAt('/clock/a')).toBe(Date.UTC(2026, 0, 1) + 3);
    vi.setSystemTime(Date.UTC(2026, 0, 1, 1)); // the wall clock steps an hour ahead
    vi.advanceTimersByTime(1000);
    expect(requestAt('/clock/b')).toBe(Date.UTC(2026, 0, 1, 1) + 1000 + 3);
    recorder.dispose();
  } finally {
    vi.useRealTimers();
  }
});
