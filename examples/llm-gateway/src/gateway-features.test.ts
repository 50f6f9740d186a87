/**
 * Today's Ollama through the gateway, against the real fake on loopback: tool calls and the tool-result turn,
 * structured output (a JSON schema `format`), thinking, images, each whole and streamed; a model's refusals
 * passed on as 400s the breaker never counts; and the cache keeping requests that differ only in these
 * fields apart.
 */
import { CATALOG, metricRegistry } from '@sightglass/core';
import type { FakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry, type Telemetry } from '@sightglass/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { startTestGateway, startTestOllama } from './test-support/fixture.js';
import { post, type TestResponse } from './test-support/http.js';

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string', enum: ['Paris', 'Lisbon', 'Oslo'] } },
    },
  },
};

const FORECAST_SCHEMA = {
  type: 'object',
  required: ['city', 'celsius', 'conditions'],
  properties: {
    city: { type: 'string' },
    celsius: { type: 'number' },
    conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rain'] },
  },
};

interface ChatAnswer {
  model: string;
  message: {
    role: string;
    content: string;
    thinking?: string;
    tool_calls?: Array<{
      id: string;
      function: { index: number; name: string; arguments: { city?: unknown } };
    }>;
  };
  done: boolean;
}

let telemetry: Telemetry;
let ollama: FakeOllama;
let gateway: Gateway;
let url: string;

const user = (content: string) => ({ role: 'user', content });
const chunksOf = (response: TestResponse) =>
  response.text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ChatAnswer);
const callsOf = (answer: ChatAnswer) => answer.message.tool_calls ?? [];
const streams = (outcome: string) =>
  metricRegistry().value(CATALOG.responseStreams, { route: '/v1/chat', outcome }) ?? 0;
const breakerFailures = () =>
  metricRegistry().value(CATALOG.circuitBreakerFailures, { breaker_name: 'features.chat' }) ?? 0;

beforeAll(async () => {
  telemetry = await startTelemetry({ prometheus: { server: false }, runtimeMetrics: false });
  ollama = await startTestOllama();
  ({ gateway, url } = await startTestGateway('features', ollama.url, {
    maxBodyBytes: 64 * 1024,
    policy: { breakerFailures: 3 },
  }));
});

afterAll(async () => {
  await gateway?.close();
  await ollama?.close();
  await telemetry?.shutdown();
});

describe('tool calls', () => {
  const ask = {
    model: 'llama3.2',
    messages: [user('What is the weather in Paris? Use get_weather.')],
    tools: [WEATHER_TOOL],
  };

  it("passes the tools on and the model's call back, then answers the tool's result with text", async () => {
    const first = await post(url, '/v1/chat', ask);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    const answer = first.json as ChatAnswer;
    expect(answer.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
        function: { index: 0, name: 'get_weather', arguments: { city: expect.any(String) } },
      },
    ]);
    expect(WEATHER_TOOL.function.parameters.properties.city.enum).toContain(
      callsOf(answer)[0]?.function.arguments.city,
    );
    expect((await post(url, '/v1/chat', ask)).headers.get('x-cache')).toBe('hit');

    // The assistant's message goes back as it came, with the tool's result after it.
    const [call] = callsOf(answer);
    const final = await post(url, '/v1/chat', {
      ...ask,
      messages: [
        ...ask.messages,
        answer.message,
        {
          role: 'tool',
          content: '{"celsius":18,"conditions":"cloudy"}',
          tool_name: 'get_weather',
          tool_call_id: call?.id,
        },
      ],
    });
    expect(final.status).toBe(200);
    expect(final.headers.get('x-cache')).toBe('miss');
    const text = final.json as ChatAnswer;
    expect(text.message.content).not.toBe('');
    expect(text.message.tool_calls).toBeUndefined();
  });

  it('streams the call as Ollama does: a chunk per call, then the done chunk, counted as completed', async () => {
    const completed = streams('completed');
    const response = await post(url, '/v1/chat', { ...ask, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('x-cache')).toBe('bypass');
    const chunks = chunksOf(response);
    const calls = chunks.filter((chunk) => chunk.message.tool_calls !== undefined);
    expect(calls).toHaveLength(1);
    const [callChunk] = calls;
    expect(callChunk && callsOf(callChunk).map((call) => call.function.name)).toEqual(['get_weather']);
    expect(chunks.at(-1)).toMatchObject({ done: true });
    expect(chunks.indexOf(callChunk as ChatAnswer)).toBeLessThan(chunks.length - 1);
    expect(streams('completed')).toBe(completed + 1);
  });
});

describe('structured output', () => {
  const ask = {
    model: 'llama3.2',
    messages: [user('Forecast for Lisbon, as JSON.')],
    format: FORECAST_SCHEMA,
  };
  const fits = (content: string) => {
    const value = JSON.parse(content) as Record<string, unknown>;
    expect(value).toEqual({
      city: expect.any(String),
      celsius: expect.any(Number),
      conditions: expect.stringMatching(/^(sunny|cloudy|rain)$/),
    });
    return value;
  };

  it('answers with JSON that fits the schema, whole and streamed in pieces, the same both ways', async () => {
    const whole = await post(url, '/v1/chat', ask);
    expect(whole.status).toBe(200);
    const parsed = fits((whole.json as ChatAnswer).message.content);

    const streamed = await post(url, '/v1/chat', { ...ask, stream: true });
    const chunks = chunksOf(streamed);
    expect(chunks.length).toBeGreaterThan(2);
    expect(fits(chunks.map((chunk) => chunk.message.content).join(''))).toEqual(parsed);
  });

  it('caches "json" and a schema apart', async () => {
    const json = await post(url, '/v1/chat', { ...ask, format: 'json' });
    expect(json.headers.get('x-cache')).toBe('miss');
    expect(() => JSON.parse((json.json as ChatAnswer).message.content)).not.toThrow();
  });
});

describe('thinking', () => {
  const ask = { model: 'qwen3', messages: [user('Why is the sky blue? Think first.')] };

  it('passes think on: thoughts in message.thinking, none with think false, each cached apart', async () => {
    const thinking = await post(url, '/v1/chat', { ...ask, think: true });
    expect(thinking.status).toBe(200);
    expect((thinking.json as ChatAnswer).message.thinking).toEqual(expect.any(String));
    expect((thinking.json as ChatAnswer).message.thinking).not.toBe('');
    const plain = await post(url, '/v1/chat', { ...ask, think: false });
    expect(plain.headers.get('x-cache')).toBe('miss');
    expect((plain.json as ChatAnswer).message.thinking).toBeUndefined();
    expect((await post(url, '/v1/chat', { ...ask, think: 'high' })).headers.get('x-cache')).toBe('miss');
  });

  it('streams the thoughts chunk by chunk before the content', async () => {
    const chunks = chunksOf(await post(url, '/v1/chat', { ...ask, think: 'low', stream: true }));
    const thought = chunks.map((chunk) => Boolean(chunk.message.thinking));
    const spoke = chunks.map((chunk) => chunk.message.content !== '');
    const lastThought = thought.lastIndexOf(true);
    expect(thought.filter(Boolean).length).toBeGreaterThan(1);
    expect(spoke.indexOf(true)).toBeGreaterThan(lastThought);
  });

  it('passes think on a generation too', async () => {
    const generated = await post(url, '/v1/generate', {
      model: 'qwen3',
      prompt: 'Count to three.',
      think: true,
    });
    expect(generated.status).toBe(200);
    expect(generated.json).toMatchObject({ thinking: expect.any(String), done: true });
  });
});

describe('images', () => {
  const look = (images: string[]) => ({
    model: 'gemma3',
    messages: [{ role: 'user', content: 'What is in this picture?', images }],
  });

  it('passes base64 images on to a vision model; another image is another answer', async () => {
    const one = await post(url, '/v1/chat', look(['iVBORw0KGgo=']));
    expect(one.status).toBe(200);
    const other = await post(url, '/v1/chat', look(['R0lGODlh']));
    expect(other.headers.get('x-cache')).toBe('miss');
    expect((other.json as ChatAnswer).message.content).not.toBe((one.json as ChatAnswer).message.content);
    const generated = await post(url, '/v1/generate', {
      model: 'gemma3',
      prompt: 'Describe it.',
      images: ['R0lGODlh'],
    });
    expect(generated.status).toBe(200);
  });

  it('sends a string that is also a file path as the base64 it is, never reading the file', async () => {
    // `//etc/passwd` is valid base64, and a path the client would read if it were handed the string.
    const direct = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ ...look(['//etc/passwd']), stream: false }),
    });
    const expected = ((await direct.json()) as ChatAnswer).message.content;
    const through = await post(url, '/v1/chat', look(['//etc/passwd']));
    expect(through.status).toBe(200);
    expect((through.json as ChatAnswer).message.content).toBe(expected);
  });

  it('refuses what is not base64 with 400, and images past the body limit with 413', async () => {
    const bad = await post(url, '/v1/chat', look(['data:image/png;base64,iVBORw0KGgo=']));
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringContaining('images[0]') },
    });
    const huge = await post(url, '/v1/chat', look(['A'.repeat(80 * 1024)]));
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ error: { code: 'body_too_large' } });
  });
});

describe("a model's refusals", () => {
  it.each([
    [
      'tools for a model without them',
      { model: 'gemma3', messages: [user('Weather?')], tools: [WEATHER_TOOL] },
      'registry.ollama.ai/library/gemma3:latest does not support tools',
    ],
    [
      'thinking for a model that does not think',
      { model: 'llama3.2', messages: [user('Think.')], think: true },
      '"llama3.2" does not support thinking',
    ],
  ])("%s: 400 capability_unsupported with Ollama's words, whole and streamed, never counted by the breaker", async (_what, body, message) => {
    const failures = breakerFailures();
    const [streamsCompleted, streamsFailed] = [streams('completed'), streams('failed')];
    // More refusals than it takes failures to open the breaker.
    for (let i = 0; i < 4; i++) {
      for (const stream of [false, true]) {
        const refused = await post(url, '/v1/chat', { ...body, stream });
        expect(refused.status).toBe(400);
        expect(refused.headers.get('content-type')).toContain('application/json');
        expect(refused.json).toEqual({ error: { code: 'capability_unsupported', message } });
      }
    }
    expect(breakerFailures()).toBe(failures);
    expect(gateway.policy.breakers.chat.state).toBe(0); // closed
    expect([streams('completed'), streams('failed')]).toEqual([streamsCompleted, streamsFailed]);
    expect((await post(url, '/v1/chat', { model: 'llama3.2', messages: [user('Still fine?')] })).status).toBe(
      200,
    );
  });
});
