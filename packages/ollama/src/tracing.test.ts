/**
 * The GenAI CLIENT spans of chat, generate, embed and embeddings, with a real tracer provider
 * (sdk-trace-base), the AsyncLocalStorage context manager and the W3C propagator, against fake-ollama.
 */
import {
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  EVENT_BREAKER_REJECTED,
  EVENT_RETRY_SCHEDULED,
  executeWithSignal,
  instrumentCircuitBreaker,
  instrumentRetry,
} from '@sightglass/resilience';
import { eventsOf, failingSpanProcessor, freePort, startTracing, type Tracing } from '@sightglass/test-kit';
import { ConsecutiveBreaker, circuitBreaker, handleAll, handleWhen, retry } from 'cockatiel';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ResponseError } from './errors.js';
import {
  ATTR_OLLAMA_STREAM_CHUNKS,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  EVENT_OLLAMA_RETRY,
  EVENT_OLLAMA_STREAM_LEFT,
} from './semconv.js';
import { genAiSeries } from './test-support/genai-series.js';
import { headerProxy } from './test-support/header-proxy.js';
import { client, collect, fakeOllama } from './test-support/servers.js';
import { TRACER_NAME } from './tracer.js';

type FinishedSpan = ReturnType<Tracing['finished']>;

/** A span processor that can be told to throw, as a broken user processor would. */
const failing = failingSpanProcessor();

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing([failing]);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  propagation.disable();
  await tracing.stop();
});
afterEach(() => {
  tracing.exporter.reset();
  failing.throwing = false;
});

/** The finished spans of the client (its instrumentation scope), oldest first. */
function clientSpans(): FinishedSpan[] {
  return tracing.exporter.getFinishedSpans().filter((span) => span.instrumentationScope.name === TRACER_NAME);
}

function onlyClientSpan(): FinishedSpan {
  const spans = clientSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

function seconds(span: FinishedSpan): number {
  return span.duration[0] + span.duration[1] / 1e9;
}

const question = [{ role: 'user', content: 'What is the weather in Oslo?' }];
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
};

describe('GenAI client spans', () => {
  it('a chat: one CLIENT span under the caller, with the conventions’ request and response attributes', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    let answer: Awaited<ReturnType<typeof ollama.chat>> | undefined;
    const parent = await tracing.inSpan('request', async () => {
      answer = await ollama.chat({
        model: 'llama3.2',
        messages: question,
        options: {
          temperature: 0.2,
          top_p: 0.9,
          top_k: 40,
          seed: 7,
          num_predict: 12,
          stop: ['\n\n'],
          frequency_penalty: 0.1,
          presence_penalty: 0.3,
        },
      });
    });
    const span = onlyClientSpan();
    expect(span.name).toBe('chat llama3.2');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span.instrumentationScope).toMatchObject({
      name: '@sightglass/ollama',
      schemaUrl: 'https://opentelemetry.io/schemas/1.41.0',
    });
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.2',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.seed': 7,
      'gen_ai.request.max_tokens': 12,
      'gen_ai.request.stop_sequences': ['\n\n'],
      'gen_ai.request.frequency_penalty': 0.1,
      'gen_ai.request.presence_penalty': 0.3,
      'gen_ai.response.model': answer!.model,
      'gen_ai.response.finish_reasons': [answer!.done_reason],
      'gen_ai.usage.input_tokens': answer!.prompt_eval_count,
      'gen_ai.usage.output_tokens': answer!.eval_count,
    });
    expect(answer!.done_reason).toBe('length'); // num_predict cut the answer
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it('a streamed generate: gen_ai.request.stream, time to first chunk, and the span ends at the final chunk', async () => {
    const server = await fakeOllama({ tokensPerAnswer: 6 });
    const ollama = client({ host: server.url });
    let endedAtFinalChunk = false;
    let last: { done?: boolean; model?: string; eval_count?: number } | undefined;
    for await (const chunk of await ollama.generate({ model: 'llama3.2', prompt: 'Hi', stream: true })) {
      if (chunk.done) endedAtFinalChunk = clientSpans().length === 1;
      last = chunk;
    }
    expect(endedAtFinalChunk).toBe(true);
    const span = onlyClientSpan();
    expect(span.name).toBe('text_completion llama3.2');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.request.stream': true,
      'gen_ai.response.model': last?.model,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': last?.eval_count,
    });
    const firstChunk = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(firstChunk).toBeGreaterThan(0);
    expect(firstChunk).toBeLessThanOrEqual(seconds(span));
  });

  it('embed and embeddings: embeddings spans with input tokens, the requested dimensions, no output tokens', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    const embedded = await ollama.embed({ model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 64 });
    await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'a' });
    const [embed, legacy] = clientSpans();
    expect(embed!.name).toBe('embeddings nomic-embed-text');
    expect(embed!.attributes).toEqual({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'nomic-embed-text',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'gen_ai.embeddings.dimension.count': 64,
      'gen_ai.response.model': embedded.model,
      'gen_ai.usage.input_tokens': embedded.prompt_eval_count,
    });
    expect(legacy!.name).toBe('embeddings nomic-embed-text');
    expect(legacy!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('a streamed thinking answer with tool calls, and a schema answer: a chat span each', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3', messages: question, think: true, tools: [weather], stream: true }),
    );
    const format = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await ollama.chat({ model: 'llama3.2', messages: question, format });
    const [tools, shaped] = clientSpans();
    expect(tools!.name).toBe('chat qwen3');
    expect(tools!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.output_tokens': chunks.at(-1)!.eval_count,
    });
    expect(tools!.attributes['gen_ai.output.type']).toBeUndefined();
    expect(shaped!.attributes['gen_ai.output.type']).toBe('json');
  });

  it('with metrics: false the spans are the same, streams included', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, metrics: false });
    await collect(await ollama.chat({ model: 'llama3.2', messages: question, stream: true }));
    const span = onlyClientSpan();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('other calls (list, pull, version) make no span', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    await ollama.list();
    await ollama.version();
    await ollama.pull({ model: 'llama3.2' });
    expect(clientSpans()).toEqual([]);
  });
});

describe('failures', () => {
  it('a model Ollama does not have: error.type 404, status ERROR with its message', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    const error = await ollama.chat({ model: 'nope', messages: question }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    const span = onlyClientSpan();
    expect(span.name).toBe('chat nope');
    expect(span.attributes['error.type']).toBe('404');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });

  it('a malformed answer: its text stays out of the span status unless content capture is on', async () => {
    const { createServer } = await import('node:http');
    const secret = 'THE COMPLETION TEXT';
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"model":"llama3.2","message":{"role":"assistant","content":"${secret}`); // cut off
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      for (const captureContent of [false, true]) {
        tracing.exporter.reset();
        const ollama = client({ host, tracing: { captureContent } });
        await expect(ollama.chat({ model: 'llama3.2', messages: question })).rejects.toThrow(secret);
        const span = onlyClientSpan();
        expect(span.attributes['error.type']).toBe('malformed_response');
        expect(span.status.code).toBe(SpanStatusCode.ERROR);
        if (captureContent) expect(span.status.message).toContain(secret);
        else expect(span.status.message).toBe('Ollama sent malformed JSON');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('connection refused: each retry an event on the span, then error.type connection_failed', async () => {
    const port = await freePort();
    const ollama = client({ host: `127.0.0.1:${port}`, retry: { maxAttempts: 2, delayMs: 1 } });
    await expect(ollama.chat({ model: 'llama3.2', messages: question, stream: true })).rejects.toMatchObject({
      code: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_FAILED',
    });
    const span = onlyClientSpan();
    expect(span.attributes['error.type']).toBe('connection_failed');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(eventsOf(span)).toEqual([
      [
        EVENT_OLLAMA_RETRY,
        {
          [ATTR_RETRY_ATTEMPT]: 1,
          [ATTR_RETRY_DELAY_MS]: 1,
          'error.type': 'ECONNREFUSED',
        },
      ],
      [
        EVENT_OLLAMA_RETRY,
        {
          [ATTR_RETRY_ATTEMPT]: 2,
          [ATTR_RETRY_DELAY_MS]: 2,
          'error.type': 'ECONNREFUSED',
        },
      ],
    ]);
  });

  it('an {"error"} line mid-stream: error.type stream_error, at the failure', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ errorLineAfterChunks: 2 });
    const stream = await ollama.chat({ model: 'llama3.2', messages: question, stream: true });
    await expect(collect(stream)).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_STREAM_ERROR' });
    const span = onlyClientSpan();
    expect(span.attributes['error.type']).toBe('stream_error');
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('an aborted stream ends its span at the abort, though the application never reads again', async () => {
    const server = await fakeOllama({ tokensPerSecond: 20 });
    const ollama = client({ host: server.url });
    const stream = await ollama.chat({ model: 'llama3.2', messages: question, stream: true });
    await stream[Symbol.asyncIterator]().next();
    expect(clientSpans()).toEqual([]);
    stream.abort();
    const span = onlyClientSpan();
    expect(span.attributes['error.type']).toBe('aborted');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a stream left early (break) ends its span there: no error, an event with the chunks read', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url });
    let read = 0;
    for await (const _ of await ollama.chat({ model: 'llama3.2', messages: question, stream: true })) {
      if (++read === 3) break;
    }
    const span = onlyClientSpan();
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(eventsOf(span)).toEqual([[EVENT_OLLAMA_STREAM_LEFT, { [ATTR_OLLAMA_STREAM_CHUNKS]: 3 }]]);
  });

  it('the call timing out mid-stream: error.type timeout', async () => {
    const server = await fakeOllama();
    server.faults.set({ stallAfterChunks: 1 });
    const ollama = client({ host: server.url, timeoutMs: 200 });
    const stream = await ollama.chat({ model: 'llama3.2', messages: question, stream: true });
    await expect(collect(stream)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(onlyClientSpan().attributes['error.type']).toBe('timeout');
  });
});

describe('under a policy wrapped around the call', () => {
  it("a policy's retry: each attempt a span of its own under the caller's, the retry an event on the caller's", async () => {
    const server = await fakeOllama();
    server.faults.set({ errorStatus: 503, errorRate: 0.5 }); // the 1st, 3rd, … requests fail
    const ollama = client({ host: server.url });
    const retrying = instrumentRetry(
      retry(
        handleWhen((error) => error instanceof ResponseError && error.status_code === 503),
        { maxAttempts: 1 },
      ),
      { name: 'traced-retry' },
    );
    const request = await tracing.inSpan('request', () =>
      expect(
        executeWithSignal(retrying, (signal) =>
          ollama.chat({ model: 'llama3.2', messages: question }, { signal }),
        ),
      ).resolves.toMatchObject({ done: true }),
    );
    retrying.dispose();
    expect(server.stats.requests).toBe(2);
    const [failed, answered] = clientSpans();
    expect(failed!.attributes['error.type']).toBe('503');
    expect(answered!.attributes['error.type']).toBeUndefined();
    for (const span of [failed!, answered!]) {
      expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    expect(eventsOf(request).map(([name]) => name)).toEqual([EVENT_RETRY_SCHEDULED]);
  });

  it('an instrumented breaker decides before the call: its rejection lands on the caller’s span', async () => {
    const server = await fakeOllama();
    server.faults.set({ errorStatus: 500 });
    const breaker = instrumentCircuitBreaker(
      circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(1) }),
      { name: 'traced-breaker' },
    );
    const ollama = client({ host: server.url });
    const ask = () =>
      executeWithSignal(breaker, (signal) =>
        ollama.chat({ model: 'llama3.2', messages: question }, { signal }),
      );
    await expect(ask()).rejects.toMatchObject({ status_code: 500 });
    const request = await tracing.inSpan('request', () => expect(ask()).rejects.toThrow());
    expect(onlyClientSpan().attributes['error.type']).toBe('500'); // the rejected call sent nothing
    expect(eventsOf(request).map(([name]) => name)).toEqual([EVENT_BREAKER_REJECTED]);
    breaker.dispose();
  });
});

describe('trace context sent to Ollama', () => {
  it('traceparent is the call span’s, for plain and streamed calls', async () => {
    const server = await fakeOllama();
    const proxy = await headerProxy(server.url);
    const ollama = client({ host: proxy.url });
    await tracing.inSpan('request', async () => {
      await ollama.chat({ model: 'llama3.2', messages: question });
      await collect(await ollama.chat({ model: 'llama3.2', messages: question, stream: true }));
    });
    const spans = clientSpans();
    expect(spans).toHaveLength(2);
    expect(proxy.received.map((r) => r.headers.traceparent)).toEqual(
      spans.map((span) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`),
    );
  });

  it('tracestate goes along; an unsampled call still sends its trace id, flagged not sampled', async () => {
    const server = await fakeOllama();
    const proxy = await headerProxy(server.url);
    const ollama = client({ host: proxy.url });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const incoming = (flags: string) =>
      propagation.extract(ROOT_CONTEXT, {
        traceparent: `00-${traceId}-b7ad6b7169203331-${flags}`,
        tracestate: 'vendor=opaque',
      });
    await context.with(incoming('01'), () => ollama.chat({ model: 'llama3.2', messages: question }));
    const span = onlyClientSpan().spanContext();
    await context.with(incoming('00'), () => ollama.chat({ model: 'llama3.2', messages: question }));
    expect(clientSpans()).toHaveLength(1); // the sampler dropped the second: nothing recorded
    const [sampled, unsampled] = proxy.received.map((r) => r.headers);
    expect(sampled).toMatchObject({
      traceparent: `00-${traceId}-${span.spanId}-01`,
      tracestate: 'vendor=opaque',
    });
    expect(unsampled!.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    expect(unsampled!.traceparent).not.toContain('b7ad6b7169203331');
    expect(unsampled!.tracestate).toBe('vendor=opaque');
  });

  it('propagateContext: false sends no traceparent; a traceparent of the client’s own headers is kept', async () => {
    const server = await fakeOllama();
    const proxy = await headerProxy(server.url);
    const off = client({ host: proxy.url, tracing: { propagateContext: false } });
    await off.chat({ model: 'llama3.2', messages: question });
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    const mine = client({ host: proxy.url, headers: { Traceparent: own } });
    await mine.chat({ model: 'llama3.2', messages: question });
    expect(proxy.received.map((r) => r.headers.traceparent)).toEqual([undefined, own]);
    expect(clientSpans()).toHaveLength(2); // both calls are still traced
  });

  it('requireParentSpan: a call under no active span makes no span and sends no header; one under a span does', async () => {
    const server = await fakeOllama();
    const proxy = await headerProxy(server.url);
    const ollama = client({ host: proxy.url, tracing: { requireParentSpan: true } });
    await ollama.chat({ model: 'llama3.2', messages: question });
    await collect(await ollama.chat({ model: 'llama3.2', messages: question, stream: true }));
    expect(clientSpans()).toEqual([]);
    expect(proxy.received.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
    const request = await tracing.inSpan('request', async () => {
      await ollama.chat({ model: 'llama3.2', messages: question });
    });
    const [span] = clientSpans();
    expect(span?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(proxy.received[2]!.headers.traceparent).toBe(
      `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`,
    );
  });

  it('tracing: false: no span, no header', async () => {
    const server = await fakeOllama();
    const proxy = await headerProxy(server.url);
    const ollama = client({ host: proxy.url, tracing: false });
    await tracing.inSpan('request', () => ollama.chat({ model: 'llama3.2', messages: question }));
    expect(clientSpans()).toEqual([]);
    expect(proxy.received[0]!.headers.traceparent).toBeUndefined();
  });
});

describe('exemplars', () => {
  it("the duration and time to first chunk keep the sampled call span's ids as their exemplars", async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'traced-exemplars' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    await ollama.chat({ model: 'llama3.2', messages: question });
    const duration = genAiSeries('gen_ai.client.operation.duration', base);
    const plain = clientSpans()[0]!.spanContext();
    const exemplars = duration.flatMap((series) => series.histogram?.exemplars ?? []).filter(Boolean);
    expect(exemplars).toEqual([expect.objectContaining({ traceId: plain.traceId, spanId: plain.spanId })]);
    tracing.exporter.reset();
    await collect(await ollama.chat({ model: 'llama3.2', messages: question, stream: true }));
    const streamed = onlyClientSpan().spanContext();
    const firstChunk = genAiSeries('gen_ai.client.operation.time_to_first_chunk', base);
    expect(firstChunk.flatMap((series) => series.histogram?.exemplars ?? []).filter(Boolean)).toEqual([
      expect.objectContaining({ traceId: streamed.traceId, spanId: streamed.spanId }),
    ]);
  });

  it('a failed call’s duration keeps its span as exemplar; an unsampled one keeps none', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'traced-failed-exemplars' });
    server.faults.set({ errorStatus: 500 });
    await expect(ollama.chat({ model: 'llama3.2', messages: question })).rejects.toThrow();
    const failed = genAiSeries('gen_ai.client.operation.duration', {
      'server.port': String(server.port),
      'error.type': '500',
    });
    const span = onlyClientSpan().spanContext();
    expect(failed.flatMap((series) => series.histogram?.exemplars ?? []).filter(Boolean)).toEqual([
      expect.objectContaining({ traceId: span.traceId, spanId: span.spanId }),
    ]);
    const other = await fakeOllama();
    const unsampled = client({ host: other.url, name: 'untraced-exemplars' });
    const parent = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    await context.with(parent, () => unsampled.chat({ model: 'llama3.2', messages: question }));
    const series = genAiSeries('gen_ai.client.operation.duration', { 'server.port': String(other.port) });
    expect(series.map((s) => s.histogram?.count)).toEqual([1]);
    expect(series[0]!.histogram?.exemplars).toBeUndefined();
  });
});

describe('never into the caller', () => {
  it('a span processor that throws on start and end: calls and streams go on, the failure goes to diag', async () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    try {
      const server = await fakeOllama();
      const ollama = client({ host: server.url });
      failing.throwing = true;
      await expect(ollama.chat({ model: 'llama3.2', messages: question })).resolves.toMatchObject({
        done: true,
      });
      await expect(ollama.embed({ model: 'nomic-embed-text', input: 'a' })).resolves.toMatchObject({
        model: 'nomic-embed-text',
      });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('ollama span start'), expect.any(Error));
      failing.throwing = false;
      const stream = await ollama.chat({ model: 'llama3.2', messages: question, stream: true });
      failing.throwing = true;
      await expect(collect(stream)).resolves.toHaveLength(33);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('ollama span end'), expect.any(Error));
    } finally {
      error.mockRestore();
    }
  });
});
