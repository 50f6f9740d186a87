import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import {
  freePort,
  type OtlpTraceReceiver,
  startOtlpTraceGrpcReceiver,
  startOtlpTraceHttpReceiver,
} from '@sightglass/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OtlpProtocol, TelemetryOptions } from './options.js';
import { apiGlobals } from './otel-api-internals.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: TelemetryOptions): Promise<Telemetry> {
  const telemetry = await startTelemetry({
    env: {},
    runtimeMetrics: false,
    healthMetrics: false,
    prometheus: false,
    ...options,
  });
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

async function receiver(startReceiver: () => Promise<OtlpTraceReceiver>): Promise<OtlpTraceReceiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

/** A remote parent, as a `traceparent` header brings it in. */
function remoteParent(sampled: boolean) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

describe.each([
  ['http/protobuf', startOtlpTraceHttpReceiver],
  ['http/json', startOtlpTraceHttpReceiver],
  ['grpc', startOtlpTraceGrpcReceiver],
] as const)('OTLP trace export over %s', (protocol: OtlpProtocol, startReceiver) => {
  it('delivers spans made through @opentelemetry/api, with their parent, resource and headers', async () => {
    const collector = await receiver(startReceiver);
    const telemetry = await start({
      serviceName: 'trace-test',
      tracing: { otlp: { url: collector.url, protocol, headers: { 'x-api-key': 'secret' } } },
    });
    expect(telemetry.config.tracing?.otlp?.protocol).toBe(protocol);

    const tracer = trace.getTracer('checkout');
    let traceparent: string | undefined;
    tracer.startActiveSpan('POST /v1/chat', (parent: Span) => {
      parent.setAttribute('http.route', '/v1/chat');
      // The AsyncLocalStorage context manager carries the active span into the child, and the W3C
      // propagator writes it into outgoing headers.
      tracer.startSpan('chat llama3.2').end();
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      traceparent = carrier.traceparent;
      parent.end();
    });
    await telemetry.forceFlush();

    const spans = collector.spans();
    const parent = spans.find((span) => span.name === 'POST /v1/chat');
    const child = spans.find((span) => span.name === 'chat llama3.2');
    expect(parent?.scope).toBe('checkout');
    expect(parent?.attributes).toContainEqual({ key: 'http.route', value: { stringValue: '/v1/chat' } });
    expect(child?.traceId).toBe(parent?.traceId);
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(traceparent).toBe(`00-${parent?.traceId}-${parent?.spanId}-01`);
    const resource = collector.received[0]?.request.resourceSpans[0]?.resource?.attributes ?? [];
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'trace-test' } });
    const headers = collector.received[0]?.headers as Record<string, unknown>;
    expect(String(headers['x-api-key'])).toBe('secret');
  });
});

describe('startTelemetry with tracing', () => {
  it('starts from OTEL_TRACES_EXPORTER and the OTLP variables alone', async () => {
    const collector = await receiver(startOtlpTraceHttpReceiver);
    const telemetry = await start({
      env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces` },
    });
    trace.getTracer('env').startSpan('from-env').end();
    await telemetry.forceFlush();
    expect(collector.spans().map((span) => span.name)).toEqual(['from-env']);
  });

  it('samples by ratio: none at 0, every span at 1', async () => {
    const collector = await receiver(startOtlpTraceHttpReceiver);
    const telemetry = await start({
      tracing: { otlp: { url: collector.url }, sampleRatio: 0, parentBased: false },
    });
    const tracer = trace.getTracer('ratio');
    for (let i = 0; i < 50; i++) {
      const span = tracer.startSpan('dropped');
      expect(span.isRecording()).toBe(false);
      span.end();
    }
    await telemetry.forceFlush();
    expect(collector.spans()).toEqual([]);
  });

  it('keeps about the ratio of root spans, decided from the trace id', async () => {
    await start({ tracing: { otlp: false, sampleRatio: 0.25 } });
    const tracer = trace.getTracer('ratio');
    let sampled = 0;
    for (let i = 0; i < 2000; i++) {
      const span = tracer.startSpan('root');
      if (span.spanContext().traceFlags & TraceFlags.SAMPLED) sampled += 1;
      span.end();
    }
    expect(sampled).toBeGreaterThan(350);
    expect(sampled).toBeLessThan(650);
  });

  it('follows a sampled remote parent even at ratio 0 when parent-based, and not when not', async () => {
    const first = await start({ tracing: { otlp: false, sampleRatio: 0 } });
    const tracer = trace.getTracer('parent');
    expect(tracer.startSpan('child', {}, remoteParent(true)).isRecording()).toBe(true);
    expect(tracer.startSpan('child', {}, remoteParent(false)).isRecording()).toBe(false);
    expect(tracer.startSpan('root').isRecording()).toBe(false);
    await first.shutdown();

    await start({ tracing: { otlp: false, sampleRatio: 0, parentBased: false } });
    expect(trace.getTracer('parent').startSpan('child', {}, remoteParent(true)).isRecording()).toBe(false);
  });

  it('takes the sampler from OTEL_TRACES_SAMPLER', async () => {
    await start({ env: { OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_off' } });
    expect(trace.getTracer('env').startSpan('never').isRecording()).toBe(false);
  });

  it('prints spans with the console exporter', async () => {
    const printed = vi.spyOn(console, 'dir').mockImplementation(() => {});
    cleanups.push(() => printed.mockRestore());
    const telemetry = await start({ tracing: { otlp: false, console: true } });
    trace.getTracer('console').startSpan('printed').end();
    await telemetry.forceFlush();
    expect(printed).toHaveBeenCalledWith(expect.objectContaining({ name: 'printed' }), expect.anything());
  });

  it('registers provider, context manager and propagators, and removes them on shutdown', async () => {
    const telemetry = await start({ tracing: { otlp: false } });
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(telemetry.tracerProvider);
    expect(apiGlobals()?.context).toBeDefined();
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    await telemetry.shutdown();
    expect(apiGlobals()?.trace).toBeUndefined();
    expect(apiGlobals()?.context).toBeUndefined();
    expect(apiGlobals()?.propagation).toBeUndefined();
    expect(trace.getTracer('after').startSpan('noop').isRecording()).toBe(false);
  });

  it('installs only the propagators asked for', async () => {
    await start({ tracing: { otlp: false, propagators: ['tracecontext'] } });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('warns about OTEL_PROPAGATORS names it does not install', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    await start({ env: { OTEL_TRACES_EXPORTER: 'console', OTEL_PROPAGATORS: 'b3,tracecontext' } });
    await vi.waitFor(() => expect(warnings.join('\n')).toContain('OTEL_PROPAGATORS names b3'));
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it("keeps the application's own TracerProvider, and starts no tracing of its own", async () => {
    const own = new TracerProvider();
    expect(trace.setGlobalTracerProvider(own)).toBe(true);
    cleanups.push(async () => {
      trace.disable();
      await own.shutdown();
    });
    const warned: string[] = [];
    const logger: DiagLogger = {
      error() {},
      warn: (message) => warned.push(message),
      info() {},
      debug() {},
      verbose() {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    cleanups.push(() => diag.disable());

    const telemetry = await start({ tracing: { otlp: { url: 'http://127.0.0.1:9' } } });
    expect(telemetry.tracerProvider).toBeUndefined();
    expect(warned.join('\n')).toContain('another global TracerProvider was already registered');
    await telemetry.shutdown();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(own);
  });

  it("keeps the application's own context manager and propagator", async () => {
    const manager = {
      active: () => ROOT_CONTEXT,
      with: <A extends unknown[], F extends (...args: A) => ReturnType<F>>(
        _context: unknown,
        fn: F,
        thisArg?: ThisParameterType<F>,
        ...args: A
      ) => fn.call(thisArg, ...args),
      bind: <T>(_context: unknown, target: T) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    const propagator = { inject() {}, extract: (ctx: never) => ctx, fields: () => ['x-own'] };
    expect(context.setGlobalContextManager(manager)).toBe(true);
    expect(propagation.setGlobalPropagator(propagator)).toBe(true);
    cleanups.push(() => {
      context.disable();
      propagation.disable();
    });
    const telemetry = await start({ tracing: { otlp: false } });
    expect(telemetry.tracerProvider).toBeDefined();
    expect(apiGlobals()?.context).toBe(manager);
    await telemetry.shutdown();
    expect(apiGlobals()?.context).toBe(manager);
    expect(propagation.fields()).toEqual(['x-own']);
  });

  it('registers nothing with global: false, and hands out the provider', async () => {
    const telemetry = await start({ global: false, tracing: { otlp: false } });
    expect(apiGlobals()?.trace).toBeUndefined();
    expect(apiGlobals()?.context).toBeUndefined();
    const span = telemetry.tracerProvider!.getTracer('own').startSpan('direct');
    expect(span.isRecording()).toBe(true);
    span.end();
  });
});

describe('a dead trace collector', () => {
  let hanging: Server | undefined;
  afterEach(() => {
    hanging?.closeAllConnections();
    hanging?.close();
    hanging = undefined;
  });

  async function hangingCollector(): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    hanging = createServer(() => {
      requests += 1; // accepts the export, never answers
    });
    await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, requests: () => requests };
  }

  it.each([
    [
      'refuses connections',
      false,
      async () => ({ url: `http://127.0.0.1:${await freePort()}`, requests: () => 0 }),
    ],
    ['accepts and never answers', true, hangingCollector],
  ])('that %s never holds up a span, and shutdown() resolves within its bound', async (_kind, hangs, collector) => {
    const { url, requests } = await collector();
    const errors: string[] = [];
    const logger: DiagLogger = {
      error: (message) => errors.push(message),
      warn() {},
      info() {},
      debug() {},
      verbose() {},
    };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    cleanups.push(() => diag.disable());
    const telemetry = await startTelemetry({
      env: {},
      runtimeMetrics: false,
      healthMetrics: false,
      prometheus: false,
      shutdownTimeoutMs: 300,
      // Batches of 10 go out at once, so exports are in flight while the "requests" go on.
      tracing: { otlp: { url }, batch: { maxQueueSize: 100, maxExportBatchSize: 10 } },
    });
    const tracer = trace.getTracer('requests');
    // 1000 "requests", each a span started and ended in one synchronous run: no export is awaited, and the
    // queue drops what it cannot hold instead of waiting for the collector.
    let ended = 0;
    for (let i = 0; i < 1000; i++) {
      const span = tracer.startSpan(`request ${i}`);
      span.end();
      ended += 1;
    }
    expect(ended).toBe(1000);
    if (hangs) await vi.waitFor(() => expect(requests()).toBeGreaterThan(0)); // an export hangs there
    await expect(telemetry.forceFlush()).resolves.toBeUndefined();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
    // Reported through diag once per kind (a refused connection is retried until the export times out,
    // so it may be both), never thrown or rejected.
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    const prefix = `sightglass: OTLP trace export to ${url}/v1/traces failed (`;
    expect(errors.filter((line) => !line.startsWith(prefix))).toEqual([]);
    expect(new Set(errors).size).toBe(errors.length);
    expect(errors.length).toBeLessThanOrEqual(2);
  });
});
