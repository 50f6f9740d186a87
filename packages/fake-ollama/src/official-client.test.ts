import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { FAST } from './test-support/http.js';
import { schemaProblems } from './test-support/validate-schema.js';

// The official client against the fake: every call a user relies on, with the shapes and values a real
// Ollama gives. If the fake drifts from the protocol, the client notices here first.
let server: FakeOllama;
let ollama: Ollama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
  ollama = new Ollama({ host: server.url });
});
afterAll(() => server.close());

const isNs = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0;

describe('generate', () => {
  it('streams token chunks, then a final chunk with nanosecond timings and a context', async () => {
    const chunks = [];
    for await (const chunk of await ollama.generate({
      model: 'llama3.2',
      prompt: 'Why is the sky blue?',
      stream: true,
    })) {
      chunks.push(chunk);
    }
    const final = chunks.at(-1)!;
    const tokens = chunks.slice(0, -1);
    expect(tokens).toHaveLength(8);
    for (const chunk of tokens) {
      expect(chunk).toEqual({
        model: 'llama3.2',
        created_at: expect.any(String),
        response: expect.any(String),
        done: false,
      });
      expect(Number.isNaN(Date.parse(chunk.created_at as unknown as string))).toBe(false);
    }
    expect(final).toMatchObject({ model: 'llama3.2', response: '', done: true, done_reason: 'stop' });
    expect(final.eval_count).toBe(tokens.length);
    expect(final.prompt_eval_count).toBe(6);
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
      expect(isNs(final[key]), key).toBe(true);
    }
    // Nanoseconds: the answer took at least the 2 ms ttft, and the parts fit in the whole.
    expect(final.total_duration).toBeGreaterThan(2_000_000);
    expect(final.total_duration).toBeGreaterThanOrEqual(final.load_duration + final.prompt_eval_duration);
    expect(final.context.length).toBeGreaterThan(final.eval_count);
    expect(tokens.map((c) => c.response).join('')).toMatch(/^[A-Z].*\.$/);
  });

  it('answers in one object with stream: false, with the same text as the stream', async () => {
    const request = { model: 'llama3.2', prompt: 'Same prompt, same answer' };
    const whole = await ollama.generate(request);
    let streamed = '';
    for await (const chunk of await ollama.generate({ ...request, stream: true })) streamed += chunk.response;
    expect(whole).toMatchObject({ done: true, done_reason: 'stop', eval_count: 8, response: streamed });
    expect(isNs(whole.total_duration)).toBe(true);
  });

  it('stops with done_reason "length" at options.num_predict', async () => {
    const full = await ollama.generate({ model: 'llama3.2', prompt: 'count' });
    const cut = await ollama.generate({ model: 'llama3.2', prompt: 'count', options: { num_predict: 3 } });
    expect(cut).toMatchObject({ done_reason: 'length', eval_count: 3 });
    expect(full.response?.startsWith(cut.response ?? '')).toBe(true);
    const unlimited = await ollama.generate({
      model: 'llama3.2',
      prompt: 'count',
      options: { num_predict: -1 },
    });
    expect(unlimited).toMatchObject({ done_reason: 'stop', response: full.response });
  });
});

describe('speed', () => {
  it('sends tokens back to back at an infinite rate, for benchmarks', async () => {
    const fast = await startFakeOllama({
      tokensPerSecond: Number.POSITIVE_INFINITY,
      ttftMs: 0,
      tokensPerAnswer: 300,
    });
    const client = new Ollama({ host: fast.url });
    let chunks = 0;
    for await (const chunk of await client.generate({ model: 'llama3.2', prompt: 'go', stream: true })) {
      if (!chunk.done) chunks++;
      else expect(chunk.eval_count).toBe(300);
    }
    expect(chunks).toBe(300);
    await fast.close();
  });

  it('stops generating when the client aborts the stream', async () => {
    const slow = await startFakeOllama({ tokensPerSecond: 20, ttftMs: 0, tokensPerAnswer: 100 });
    const client = new Ollama({ host: slow.url });
    const stream = await client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(async () => {
      for await (const _ of stream) stream.abort();
    }).rejects.toThrow(/abort/i);
    await expect.poll(() => slow.stats.running).toBe(0);
    expect(slow.stats.completed).toBe(0);
    await slow.close();
  });
});

describe('chat', () => {
  const messages = [{ role: 'user', content: 'Hello there!' }];

  it('streams assistant messages and counts them in eval_count', async () => {
    const chunks = [];
    for await (const chunk of await ollama.chat({ model: 'llama3.2', messages, stream: true }))
      chunks.push(chunk);
    const final = chunks.at(-1)!;
    expect(
      chunks.slice(0, -1).every((c) => c.message.role === 'assistant' && c.message.content !== '' && !c.done),
    ).toBe(true);
    expect(final).toMatchObject({
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: '' },
    });
    expect(final.eval_count).toBe(chunks.length - 1);
    expect(final.prompt_eval_count).toBe(3); // "Hello", "there", "!"
    expect(isNs(final.eval_duration)).toBe(true);
  });

  it('gives the same message for the same request, and another for another seed', async () => {
    const a = await ollama.chat({ model: 'llama3.2', messages });
    const b = await ollama.chat({ model: 'llama3.2', messages });
    const c = await ollama.chat({ model: 'llama3.2', messages, options: { seed: 7 } });
    expect(a.message.content).toBe(b.message.content);
    expect(c.message.content).not.toBe(a.message.content);
    expect(a).toMatchObject({ model: 'llama3.2', done: true, eval_count: 8, message: { role: 'assistant' } });
    const other = await startFakeOllama({ ...FAST, seed: 1 });
    const fromOther = await new Ollama({ host: other.url }).chat({ model: 'llama3.2', messages });
    expect(fromOther.message.content).not.toBe(a.message.content);
    await other.close();
  });

  it('answers JSON in format mode', async () => {
    const answer = await ollama.chat({ model: 'llama3.2', messages, format: 'json' });
    expect(JSON.parse(answer.message.content)).toEqual({ answer: expect.any(String) });
  });
});

describe('embeddings', () => {
  it('embeds a string or an array into unit vectors of the model’s length', async () => {
    const one = await ollama.embed({ model: 'nomic-embed-text', input: 'Why is the sky blue?' });
    expect(one).toMatchObject({ model: 'nomic-embed-text', prompt_eval_count: 6 });
    expect(one.embeddings).toHaveLength(1);
    expect(one.embeddings[0]).toHaveLength(768);
    expect(Math.hypot(...one.embeddings[0]!)).toBeCloseTo(1, 5);
    expect(isNs(one.total_duration) && isNs(one.load_duration)).toBe(true);
    const two = await ollama.embed({
      model: 'nomic-embed-text',
      input: ['Why is the sky blue?', 'other'],
      dimensions: 64,
    });
    expect(two.embeddings.map((e) => e.length)).toEqual([64, 64]);
    expect(Math.hypot(...two.embeddings[0]!)).toBeCloseTo(1, 5);
  });

  it('serves the legacy endpoint with the same vector', async () => {
    const { embedding } = await ollama.embeddings({
      model: 'nomic-embed-text',
      prompt: 'Why is the sky blue?',
    });
    const { embeddings } = await ollama.embed({ model: 'nomic-embed-text', input: 'Why is the sky blue?' });
    expect(embedding).toEqual(embeddings[0]);
  });
});

describe('model management', () => {
  it('lists, shows, reports the version and the loaded models', async () => {
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toEqual([
      'llama3.2:latest',
      'qwen3:latest',
      'gemma3:latest',
      'nomic-embed-text:latest',
    ]);
    expect(models[0]).toMatchObject({
      model: 'llama3.2:latest',
      size: 2019393189,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    });
    const show = await ollama.show({ model: 'llama3.2' });
    expect(show.capabilities).toEqual(['completion', 'tools']);
    expect(show.details.family).toBe('llama');
    expect(show.model_info).toMatchObject({
      'general.architecture': 'llama',
      'llama.embedding_length': 3072,
    });
    expect(show.modelfile).toContain('FROM ');
    expect(await ollama.version()).toEqual({ version: '0.32.15' });
    const ps = await ollama.ps();
    // Both models served a request above, so both are loaded for the default 5 minutes.
    expect(ps.models.map((m) => m.name).sort()).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    const expires = Date.parse(ps.models[0]!.expires_at as unknown as string) - Date.now();
    expect(expires).toBeGreaterThan(4 * 60_000);
    expect(expires).toBeLessThanOrEqual(5 * 60_000);
  });

  it('pulls with progress lines, or in one answer', async () => {
    const statuses: string[] = [];
    let sawBytes = false;
    for await (const progress of await ollama.pull({ model: 'llama3.2', stream: true })) {
      statuses.push(progress.status);
      if (progress.completed === progress.total && progress.total > 0) sawBytes = true;
      if (progress.digest) expect(progress.status).toBe(`pulling ${progress.digest.slice(7, 19)}`);
    }
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success']);
    expect(sawBytes).toBe(true);
    expect(await ollama.pull({ model: 'llama3.2' })).toEqual({ status: 'success' });
  });

  it('fails a pull of a model the registry does not have, streamed or not', async () => {
    const stream = await ollama.pull({ model: 'no-such-model', stream: true });
    await expect(async () => {
      for await (const _ of stream) {
        // drain
      }
    }).rejects.toThrow('pull model manifest: file does not exist');
    await expect(ollama.pull({ model: 'no-such-model' })).rejects.toMatchObject({
      status_code: 500,
      error: 'pull model manifest: file does not exist',
    });
  });

  it('copies and deletes models', async () => {
    const own = await startFakeOllama(FAST);
    const client = new Ollama({ host: own.url });
    expect(await client.copy({ source: 'llama3.2', destination: 'my-llama:v1' })).toEqual({
      status: 'success',
    });
    expect((await client.list()).models.map((m) => m.name)).toContain('my-llama:v1');
    expect((await client.generate({ model: 'my-llama:v1', prompt: 'hi' })).done).toBe(true);
    expect(await client.delete({ model: 'my-llama:v1' })).toEqual({ status: 'success' });
    expect((await client.list()).models.map((m) => m.name)).not.toContain('my-llama:v1');
    await expect(client.delete({ model: 'my-llama:v1' })).rejects.toMatchObject({
      status_code: 404,
      message: "model 'my-llama:v1' not found",
    });
    await expect(client.copy({ source: 'ghost', destination: 'x' })).rejects.toMatchObject({
      status_code: 404,
      message: 'model "ghost" not found',
    });
    await own.close();
  });
});

describe('errors as the client sees them', () => {
  it('throws ResponseError 404 with the message for an unknown model', async () => {
    const error = await ollama.chat({ model: 'nope', messages: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      message: "model 'nope' not found",
    });
    await expect(ollama.generate({ model: 'nope', prompt: 'x', stream: true })).rejects.toMatchObject({
      status_code: 404,
    });
    await expect(ollama.embeddings({ model: 'nope', prompt: 'x' })).rejects.toMatchObject({
      status_code: 404,
      message: 'model "nope" not found, try pulling it first',
    });
  });

  it('throws ResponseError 400 for a bad request', async () => {
    await expect(ollama.chat({ model: '', messages: [] })).rejects.toMatchObject({
      status_code: 400,
      message: 'model is required',
    });
    await expect(ollama.generate({ model: 'nomic-embed-text', prompt: 'x' })).rejects.toMatchObject({
      status_code: 400,
      message: '"nomic-embed-text" does not support generate',
    });
  });

  it('does not log anything for a clean stream', async () => {
    const warn = vi.spyOn(console, 'warn');
    for await (const _ of await ollama.generate({ model: 'llama3.2', prompt: 'quiet', stream: true })) {
      // drain
    }
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

// Today's Ollama features through the official client (ollama-js 0.6.4), matched against Ollama v0.33.
describe('tools, structured output and thinking', () => {
  const weather = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: {
        type: 'object',
        required: ['city'],
        properties: {
          city: { type: 'string', description: 'The city' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
      },
    },
  };
  const question = [{ role: 'user', content: 'What is the weather in Toronto?' }];

  it('calls a tool, streamed and not, then answers the tool’s result', async () => {
    const whole = await ollama.chat({ model: 'llama3.2', messages: question, tools: [weather] });
    const [call] = whole.message.tool_calls!;
    expect(call!.function.name).toBe('get_weather');
    expect(schemaProblems(call!.function.arguments, weather.function.parameters)).toEqual([]);
    expect(whole).toMatchObject({ done: true, done_reason: 'stop', message: { content: '' } });
    const streamed = [];
    for await (const chunk of await ollama.chat({
      model: 'llama3.2',
      messages: question,
      tools: [weather],
      stream: true,
    }))
      streamed.push(chunk);
    expect(streamed.flatMap((c) => c.message.tool_calls ?? [])).toEqual(whole.message.tool_calls);
    const final = await ollama.chat({
      model: 'llama3.2',
      messages: [
        ...question,
        whole.message,
        { role: 'tool', content: '11 degrees, cloudy', tool_name: 'get_weather' },
      ],
      tools: [weather],
    });
    expect(final.message.tool_calls).toBeUndefined();
    expect(final.message.content).toMatch(/^[A-Z].*\.$/);
  });

  it('answers JSON that fits a schema, streamed and not, on chat and generate', async () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        temperature: { type: 'number', minimum: -50, maximum: 50 },
        conditions: { type: 'array', items: { enum: ['sunny', 'cloudy', 'rain'] } },
      },
      required: ['city', 'temperature', 'conditions'],
    };
    const chat = await ollama.chat({ model: 'llama3.2', messages: question, format: schema });
    expect(schemaProblems(JSON.parse(chat.message.content), schema)).toEqual([]);
    let streamed = '';
    for await (const chunk of await ollama.chat({
      model: 'llama3.2',
      messages: question,
      format: schema,
      stream: true,
    }))
      streamed += chunk.message.content;
    expect(streamed).toBe(chat.message.content);
    const generated = await ollama.generate({ model: 'llama3.2', prompt: 'Weather?', format: schema });
    expect(schemaProblems(JSON.parse(generated.response!), schema)).toEqual([]);
  });

  it('thinks on a thinking model, streamed and not', async () => {
    const whole = await ollama.chat({ model: 'qwen3', messages: question, think: true });
    expect(whole.message.thinking).toMatch(/^[A-Z]/);
    expect(whole.message.content).toMatch(/\.$/);
    let thinking = '';
    let content = '';
    for await (const chunk of await ollama.chat({
      model: 'qwen3',
      messages: question,
      think: true,
      stream: true,
    })) {
      if (chunk.message.thinking) expect(content).toBe('');
      thinking += chunk.message.thinking ?? '';
      content += chunk.message.content;
    }
    expect({ thinking, content }).toEqual({
      thinking: whole.message.thinking,
      content: whole.message.content,
    });
    const generated = await ollama.generate({ model: 'qwen3', prompt: 'Why?', think: 'high' });
    expect(generated.thinking).toMatch(/\w/);
  });

  it('refuses tools and thinking the way Ollama does', async () => {
    await expect(
      ollama.chat({ model: 'gemma3', messages: question, tools: [weather] }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 400,
      message: 'registry.ollama.ai/library/gemma3:latest does not support tools',
    });
    await expect(
      ollama.chat({ model: 'llama3.2', messages: question, think: true, stream: true }),
    ).rejects.toMatchObject({
      status_code: 400,
      message: '"llama3.2" does not support thinking',
    });
    await expect(ollama.generate({ model: 'llama3.2', prompt: 'x', format: 'yaml' })).rejects.toMatchObject({
      status_code: 400,
      message: 'invalid format: "\\"yaml\\""; expected "json" or a valid JSON Schema object',
    });
  });

  it('passes images to a vision model and logprobs back', async () => {
    const seen = await ollama.chat({
      model: 'gemma3',
      messages: [{ role: 'user', content: 'What is this?', images: [new Uint8Array([1, 2, 3])] }],
      logprobs: true,
      top_logprobs: 2,
    });
    expect(seen.prompt_eval_count).toBeGreaterThan(256);
    expect(seen.logprobs).toHaveLength(seen.eval_count);
    expect(seen.logprobs?.[0]?.top_logprobs).toHaveLength(2);
    const { models } = await ollama.list();
    expect(models.find((m) => m.name === 'gemma3:latest')).toMatchObject({
      capabilities: ['completion', 'vision'],
    });
  });
});
