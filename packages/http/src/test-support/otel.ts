import { createRequire } from 'node:module';
import { context, propagation, type SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTestMeter } from '@sightglass/test-kit';
import { resetGlobalsLookup } from '../otel-http-internals.js';

/** A context manager, the W3C propagator and a tracer provider recording in memory, registered globally. */
export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** The finished spans of one kind. */
  spans(kind: SpanKind): ReadableSpan[];
  /**
   * Replaces the tracer provider by one with these span processors (and the in-memory exporter) and this
   * sampler (the SDK's default, parent-based always-on, when none).
   */
  replaceProvider(processors: SpanProcessor[], sampler?: Sampler): Promise<void>;
  stop(): Promise<void>;
}

export function startTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const providerWith = (processors: SpanProcessor[], sampler?: Sampler) =>
    new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter), ...processors],
      ...(sampler === undefined ? {} : { sampler }),
    });
  // Old providers are shut down only at stop(): a provider's shutdown stops the shared exporter.
  const providers = [providerWith([])];
  let provider = providers[0]!;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  resetGlobalsLookup();
  return {
    exporter,
    spans: (kind) => exporter.getFinishedSpans().filter((span) => span.kind === kind),
    async replaceProvider(processors, sampler) {
      trace.disable();
      provider = providerWith(processors, sampler);
      providers.push(provider);
      trace.setGlobalTracerProvider(provider);
    },
    async stop() {
      trace.disable();
      propagation.disable();
      context.disable();
      for (const each of providers) await each.shutdown();
    },
  };
}

/** A `http.server.request.duration` data point as a MeterProvider collected it. */
export interface ServerDurationPoint {
  attributes: Record<string, unknown>;
  count: number;
}

/**
 * `@opentelemetry/instrumentation-http` with a MeterProvider (and the global tracer provider), as an
 * application with the OpenTelemetry SDK has it. Call after the tracer provider is registered and before
 * servers are created: it patches node:http's Server.prototype when node:http is required.
 */
export async function startHttpInstrumentation(): Promise<{
  serverDurations(): Promise<ServerDurationPoint[]>;
  disable(): void;
}> {
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const meter = createTestMeter();
  const instrumentation = new HttpInstrumentation();
  instrumentation.setMeterProvider(meter.provider);
  createRequire(import.meta.url)('node:http');
  return {
    async serverDurations() {
      const points = await meter.points('http.server.request.duration');
      return (points as { attributes: Record<string, unknown>; value: { count: number } }[]).map((point) => ({
        attributes: point.attributes,
        count: point.value.count,
      }));
    },
    disable: () => instrumentation.disable(),
  };
}
