/**
 * One client process of the metrics- and tracing-cost benchmarks: `load-client.ts <url> on|off [tracing]`,
 * where `tracing` is `none` (nothing of OpenTelemetry registered, the default); or, with a tracer provider,
 * the AsyncLocalStorage context manager and the W3C propagator registered: `off` (the client's
 * `tracing: false`), `root` (calls made under no active span: each call's span is a sampled root),
 * `unparented` (calls under no active span with `requireParentSpan`: no span at all),
 * `sampled` (calls made under an active sampled span, as in a traced request handler) or `unsampled` (under
 * a span the sampler dropped: the call's span does not record, its traceparent is sent).
 * It waits for rounds from its parent over IPC (`{ kind: 'chats' | 'streams', requests }`) and answers each
 * with its own CPU nanoseconds per request, so that variants can run side by side, each measuring only
 * itself.
 */
import { context, propagation, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Ollama } from '../client.js';
import { CONCURRENCY, load, SMALL_CHAT, streamLongChat } from './chat-load.js';

const TRACING = ['none', 'off', 'root', 'unparented', 'sampled', 'unsampled'] as const;
type TracingMode = (typeof TRACING)[number];

const [url, metrics, tracingArg = 'none'] = process.argv.slice(2);
const tracing = tracingArg as TracingMode;
if (
  url === undefined ||
  (metrics !== 'on' && metrics !== 'off') ||
  !TRACING.includes(tracing) ||
  process.send === undefined
) {
  console.error(
    'usage (as a child process with IPC): load-client.ts <url> on|off [off|root|unparented|sampled|unsampled]',
  );
  process.exit(2);
}

/** Drops what it is given: the span pipeline's cost up to the exporter, without a network or an encoder. */
const discard: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

if (tracing !== 'none') {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard, { maxQueueSize: 65_536 })] }),
  );
}

/** The context the calls of a round run in. */
function roundContext() {
  if (tracing === 'sampled') {
    return trace.setSpan(ROOT_CONTEXT, trace.getTracer('bench').startSpan('request'));
  }
  if (tracing === 'unsampled') {
    return trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
  }
  return ROOT_CONTEXT;
}

const client = new Ollama({
  host: url,
  name: `bench-${metrics}-${tracing}-${process.pid}`,
  connections: CONCURRENCY,
  metrics: metrics === 'on',
  tracing: tracing === 'off' ? false : { requireParentSpan: tracing === 'unparented' },
});

/** One round: `requests` calls, answered with this process's CPU nanoseconds per call. */
async function round(kind: 'chats' | 'streams', requests: number): Promise<number> {
  const call = kind === 'chats' ? () => client.chat(SMALL_CHAT) : () => streamLongChat(client);
  const active = roundContext();
  const cost = await context.with(active, () => load(requests, call));
  trace.getSpan(active)?.end();
  return cost.cpuNs;
}

process.on('message', (message: { kind: 'chats' | 'streams'; requests: number } | 'exit') => {
  if (message === 'exit') {
    void client.close().then(() => process.exit(0));
    return;
  }
  round(message.kind, message.requests).then(
    (cpuNs) => process.send?.({ cpuNs }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send({ ready: true });
