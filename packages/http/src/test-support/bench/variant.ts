import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CATALOG, HistogramCell } from '@sightglass/core';

/** One server variant of a request-metrics benchmark. */
export interface Variant {
  /** Starts listening on a free loopback port; resolves with the URL to load. */
  listen(): Promise<string>;
  /** Requests the variant's instrumentation recorded so far (0 for the plain server). */
  recorded(): number | Promise<number>;
}

/** The path every variant is loaded on, and the route template it must be recorded under. */
export const PATH = '/hello/world';
export const ROUTE = '/hello/:name';

/** Listens on a free loopback port and resolves with the URL to load. */
export async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
}

/**
 * The floor: the least any request-duration metric does. Two clock reads, a `close` listener on the
 * response and one histogram bucket increment, no labels. Every framework's floor calls this from its
 * cheapest per-request entry point.
 */
export function createFloor() {
  const histogram = new HistogramCell(CATALOG.requestDurationSeconds.boundaries ?? []);
  return {
    histogram,
    measure(response: { on(event: 'close', listener: () => void): unknown }): void {
      const started = performance.now();
      response.on('close', () => histogram.record((performance.now() - started) / 1000));
    },
  };
}

/** Sums the data points' counts of every histogram an OpenTelemetry reader collects. */
export async function otelHistogramCount(reader: {
  collect(): Promise<{ resourceMetrics: { scopeMetrics: { metrics: { dataPoints: unknown[] }[] }[] } }>;
}): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  let count = 0;
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics)
      for (const point of metric.dataPoints as { value: { count?: number } }[])
        count += point.value.count ?? 0;
  return count;
}

/**
 * `@opentelemetry/instrumentation-http` recording into a MeterProvider with one reader, as an application
 * using the OpenTelemetry SDK has it. Call before creating the server. Resolves with a function counting
 * the requests it recorded.
 */
export async function startOtelHttpInstrumentation(): Promise<() => Promise<number>> {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  class Reader extends MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const instrumentation = new HttpInstrumentation();
  instrumentation.setMeterProvider(provider);
  // The instrumentation patches node:http when it is required (it patches Server.prototype, so servers
  // created through the ES module binding are measured too).
  createRequire(import.meta.url)('node:http');
  return () => otelHistogramCount(reader);
}

/**
 * Tracing on, as `startTelemetry({ tracing })` or an application's own SDK set-up registers it: the
 * AsyncLocalStorage context manager, the W3C propagator and a tracer provider whose sampler samples every
 * request (`sampled`: each request's own server span is sampled and its duration kept as an exemplar) or
 * none (the span is made but not sampled: no exemplar). No span processor: what spans cost to export is the
 * SDK's, not the instrumentation's. Call before the server is built.
 */
export async function startTracing(sampled: boolean): Promise<void> {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider } = await import(
    '@opentelemetry/sdk-trace-base'
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ sampler: sampled ? new AlwaysOnSampler() : new AlwaysOffSampler() }),
  );
}
