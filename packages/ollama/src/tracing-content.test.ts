/**
 * Prompts and answers on the GenAI spans: never by default, opted in with `tracing.captureContent`, each
 * attribute capped (`maxContentBytes`). With a real tracer provider, against fake-ollama.
 */
import { startTracing, type Tracing } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './options.js';
import { genAiSeries } from './test-support/genai-series.js';
import { client, collect, fakeOllama } from './test-support/servers.js';
import { TRACER_NAME } from './tracer.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing();
});
afterAll(async () => {
  await tracing.stop();
});
afterEach(() => tracing.exporter.reset());

function onlyClientSpan() {
  const spans = tracing.exporter
    .getFinishedSpans()
    .filter((span) => span.instrumentationScope.name === TRACER_NAME);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

const CONTENT = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'];
const capture = { tracing: { captureContent: true } };
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
};

describe('content on spans', () => {
  it('is not recorded by default: no prompt, answer or instructions on the span or the metrics', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'content-off' });
    await ollama.generate({ model: 'llama3.2', prompt: 'secret prompt', system: 'secret system' });
    await collect(
      await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'secret' }], stream: true }),
    );
    for (const span of tracing.exporter.getFinishedSpans()) {
      for (const key of CONTENT) expect(span.attributes).not.toHaveProperty(key);
      expect(JSON.stringify(span.attributes)).not.toContain('secret');
    }
    const labels = genAiSeries('gen_ai.client.operation.duration', { 'server.port': String(server.port) });
    expect(JSON.stringify(labels.map((series) => series.attributes))).not.toContain('secret');
  });

  it('opted in, a chat records its messages and the answer as the conventions’ JSON', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, ...capture });
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is the weather in Oslo?' },
    ];
    const answer = await ollama.chat({ model: 'llama3.2', messages });
    const span = onlyClientSpan();
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Oslo?' }] },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: answer.message.content }],
        finish_reason: answer.done_reason,
      },
    ]);
    expect(span.attributes).not.toHaveProperty('gen_ai.system_instructions');
  });

  it('opted in, a streamed tool call comes out as a tool_call part; the text streamed is the text recorded', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, ...capture });
    const chunks = await collect(
      await ollama.chat({
        model: 'qwen3',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        think: true,
        tools: [weather],
        stream: true,
      }),
    );
    const [output] = JSON.parse(onlyClientSpan().attributes['gen_ai.output.messages'] as string);
    const thinking = chunks.map((chunk) => chunk.message.thinking ?? '').join('');
    const call = chunks.flatMap((chunk) => chunk.message.tool_calls ?? [])[0]!;
    expect(output.parts).toEqual([
      { type: 'reasoning', content: thinking },
      ...(chunks.some((chunk) => chunk.message.content)
        ? [{ type: 'text', content: chunks.map((chunk) => chunk.message.content).join('') }]
        : []),
      {
        type: 'tool_call',
        id: call.id ?? null,
        name: 'get_weather',
        arguments: call.function.arguments,
      },
    ]);
  });

  it('opted in, generate records its prompt, its system instructions and its streamed answer', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, ...capture });
    const chunks = await collect(
      await ollama.generate({ model: 'llama3.2', prompt: 'Hi', system: 'Be brief.', stream: true }),
    );
    const span = onlyClientSpan();
    expect(JSON.parse(span.attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: chunks.map((chunk) => chunk.response).join('') }],
        finish_reason: 'stop',
      },
    ]);
  });

  it('each attribute stays within maxContentBytes, as valid JSON with the cut marked', async () => {
    const server = await fakeOllama({ tokensPerAnswer: 400, tokensPerSecond: Number.POSITIVE_INFINITY });
    const ollama = client({ host: server.url, tracing: { captureContent: true, maxContentBytes: 1024 } });
    const prompt = `${'a long question '.repeat(500)}end`;
    await collect(
      await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: prompt }], stream: true }),
    );
    const span = onlyClientSpan();
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages']) {
      const json = span.attributes[key] as string;
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024);
      const [message] = JSON.parse(json);
      expect(message.parts[0].content).toMatch(/…\[truncated, \d+ characters\]$/);
    }
    const [input] = JSON.parse(span.attributes['gen_ai.input.messages'] as string);
    expect(input.parts[0].content.startsWith('a long question a long question')).toBe(true);
  });

  it('embeddings never record their input', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, ...capture });
    await ollama.embed({ model: 'nomic-embed-text', input: 'secret' });
    const span = onlyClientSpan();
    for (const key of CONTENT) expect(span.attributes).not.toHaveProperty(key);
  });

  it('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true turns it on unless the option says false', () => {
    const env = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'True' };
    expect(resolveConfig({}, env).tracing?.captureContent).toBe(true);
    expect(resolveConfig({ tracing: { captureContent: false } }, env).tracing?.captureContent).toBe(false);
    expect(resolveConfig({}, {}).tracing?.captureContent).toBe(false);
  });
});
