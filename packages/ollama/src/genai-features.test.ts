import { describe, expect, it } from 'vitest';
import { genAiSeries, histogramTotal } from './test-support/genai-series.js';
import { client, collect, fakeOllama } from './test-support/servers.js';

// The GenAI metrics of today's calls: tool calls, thinking and structured output, streamed and not.

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
};
const question = [{ role: 'user', content: 'What is the weather in Oslo?' }];

describe('GenAI metrics of tool calls, thinking and structured output', () => {
  it('a streamed thinking answer with a tool call: every chunk after the first is an output chunk', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-thinking-tools' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3', messages: question, think: true, tools: [weather], stream: true }),
    );
    const thinking = chunks.filter((chunk) => chunk.message.thinking);
    const calls = chunks.filter((chunk) => chunk.message.tool_calls);
    expect(thinking.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(1);
    // The final chunk carries only the figures: not an output chunk.
    expect(chunks.at(-1)).toMatchObject({ done: true, message: { content: '' } });
    const perChunk = genAiSeries('gen_ai.client.operation.time_per_output_chunk', base);
    expect(histogramTotal(perChunk, 'count')).toBe(chunks.length - 2);
    const output = genAiSeries('gen_ai.client.token.usage', { ...base, 'gen_ai.token.type': 'output' });
    expect(histogramTotal(output, 'sum')).toBe(chunks.at(-1)!.eval_count);
    expect(output.map((s) => s.attributes['gen_ai.response.model'])).toEqual(['qwen3']);
  });

  it('a tool call and a schema answer, not streamed, are calls like any other', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-tools-format' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    const called = await ollama.chat({ model: 'llama3.2', messages: question, tools: [weather] });
    const format = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const shaped = await ollama.chat({ model: 'llama3.2', messages: question, format });
    expect(called.message.tool_calls).toHaveLength(1);
    expect(JSON.parse(shaped.message.content)).toHaveProperty('city');
    const durations = genAiSeries('gen_ai.client.operation.duration', base);
    expect(histogramTotal(durations, 'count')).toBe(2);
    const output = genAiSeries('gen_ai.client.token.usage', { ...base, 'gen_ai.token.type': 'output' });
    expect(histogramTotal(output, 'sum')).toBe(called.eval_count + shaped.eval_count);
  });

  it('refusals (tools, thinking) are failed calls with the status as error.type', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-refusals' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    await expect(
      ollama.chat({ model: 'gemma3', messages: question, tools: [weather] }),
    ).rejects.toMatchObject({
      status_code: 400,
    });
    await expect(
      ollama.chat({ model: 'llama3.2', messages: question, think: true, stream: true }),
    ).rejects.toMatchObject({ status_code: 400 });
    const failed = genAiSeries('gen_ai.client.operation.duration', { ...base, 'error.type': '400' });
    expect(histogramTotal(failed, 'count')).toBe(2);
    expect(genAiSeries('gen_ai.client.token.usage', base)).toEqual([]);
  });
});
