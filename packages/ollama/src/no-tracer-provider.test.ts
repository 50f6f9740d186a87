/**
 * Without a tracer provider (nothing of OpenTelemetry registered, or a context manager and a propagator
 * only): calls are measured as before, no span is started, not even a no-op one, and no header is sent.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GenAiSpan } from './genai-span.js';
import { genAiSeries, histogramTotal } from './test-support/genai-series.js';
import { headerProxy } from './test-support/header-proxy.js';
import { client, collect, fakeOllama } from './test-support/servers.js';
import { activeTracer } from './tracer.js';

const chat = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] };

async function callEach(name: string) {
  const server = await fakeOllama();
  const proxy = await headerProxy(server.url);
  const ollama = client({ host: proxy.url, name });
  await ollama.chat(chat);
  await collect(await ollama.chat({ ...chat, stream: true }));
  await ollama.embed({ model: 'nomic-embed-text', input: 'a' });
  const calls = genAiSeries('gen_ai.client.operation.duration', {
    'server.port': new URL(proxy.url).port,
  });
  return { calls: histogramTotal(calls, 'count'), headers: proxy.received.map((r) => r.headers) };
}

describe('without a tracer provider', () => {
  afterAll(() => {
    propagation.disable();
    context.disable();
    trace.disable();
  });

  it('with nothing of OpenTelemetry registered: no span is started, no traceparent sent', async () => {
    const start = vi.spyOn(GenAiSpan, 'start');
    try {
      const { calls, headers } = await callEach('no-otel');
      expect(calls).toBe(3);
      expect(start).not.toHaveBeenCalled();
      expect(headers.map((h) => h.traceparent)).toEqual([undefined, undefined, undefined]);
    } finally {
      start.mockRestore();
    }
  });

  it('with a context manager and the W3C propagator only: still none', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const start = vi.spyOn(GenAiSpan, 'start');
    try {
      const { calls, headers } = await callEach('context-only');
      expect(calls).toBe(3);
      expect(start).not.toHaveBeenCalled();
      expect(headers.map((h) => h.traceparent)).toEqual([undefined, undefined, undefined]);
    } finally {
      start.mockRestore();
    }
  });

  it('the tracer is looked up again when a provider is registered, and dropped when it is disabled', () => {
    expect(activeTracer()).toBeUndefined();
    const provider = new BasicTracerProvider();
    trace.setGlobalTracerProvider(provider);
    const tracer = activeTracer();
    expect(tracer).toBeDefined();
    expect(activeTracer()).toBe(tracer); // cached while the provider stays
    trace.disable();
    expect(activeTracer()).toBeUndefined();
  });
});
