import { context, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A real tracer provider and context manager, registered globally until `stop()`, for tests of what instrumentation records on spans. */
export interface Tracing {
  readonly exporter: InMemorySpanExporter;
  /** Runs `fn` inside a new span (active for it and everything it starts), ends the span and returns it. */
  inSpan(name: string, fn: (span: Span) => Promise<unknown> | unknown): Promise<ReadableSpan>;
  /** Starts a span and makes it active for `fn` without ending it. */
  withSpan<T>(span: Span, fn: () => T): T;
  startSpan(name: string): Span;
  /** The finished span named `name`. */
  finished(name: string): ReadableSpan;
  stop(): Promise<void>;
}

export function startTracing(processors: SpanProcessor[] = []): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter), ...processors],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer('test');
  const withSpan = <T>(span: Span, fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn);
  return {
    exporter,
    withSpan,
    startSpan: (name) => tracer.startSpan(name),
    async inSpan(name, fn) {
      const span = tracer.startSpan(name);
      try {
        await withSpan(span, () => fn(span));
      } catch {
        // the caller asserts on the span; errors are expected in many tests
      } finally {
        span.end();
      }
      return exporter.getFinishedSpans().find((finished) => finished.name === name)!;
    },
    finished(name) {
      const span = exporter.getFinishedSpans().find((finished) => finished.name === name);
      if (span === undefined) throw new Error(`no finished span named ${name}`);
      return span;
    },
    async stop() {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}

/** A span's events as `[name, attributes]` pairs, in order. */
export function eventsOf(span: ReadableSpan): Array<[string, Record<string, unknown>]> {
  return span.events.map((event) => [event.name, { ...event.attributes }]);
}

/** A span processor that throws from `onStart` and `onEnd` while `throwing` is set, as a broken user processor would. */
export interface FailingSpanProcessor extends SpanProcessor {
  throwing: boolean;
}

/** Creates a {@link FailingSpanProcessor}, not throwing until told to: hand it to {@link startTracing}. */
export function failingSpanProcessor(): FailingSpanProcessor {
  const processor: FailingSpanProcessor = {
    throwing: false,
    onStart(): void {
      if (processor.throwing) throw new Error('span processor onStart failed');
    },
    onEnd(): void {
      if (processor.throwing) throw new Error('span processor onEnd failed');
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return processor;
}
